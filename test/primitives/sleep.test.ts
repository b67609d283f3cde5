import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError } from '../../src/core/errors.js';
import { sleep } from '../../src/primitives/sleep.js';

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const started = performance.now();
    await sleep(20);
    assert.ok(performance.now() - started >= 19);
  });

  it('rejects with CancelledError when its signal aborts, keeping the reason as cause', async () => {
    const controller = new AbortController();
    const sleeping = sleep(10_000, { signal: controller.signal });
    const reason = new Error('user stopped');
    controller.abort(reason);
    await assert.rejects(sleeping, (error: unknown) => {
      return (
        error instanceof CancelledError && error.name === 'AbortError' && error.cause === reason
      );
    });
  });

  it('rejects at once for a signal that has already aborted', async () => {
    await assert.rejects(sleep(10_000, { signal: AbortSignal.abort() }), CancelledError);
  });

  it('refuses a negative or non-finite delay', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY])
      assert.throws(() => sleep(bad), RangeError);
  });
});

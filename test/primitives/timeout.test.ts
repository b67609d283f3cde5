import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, TimeoutError } from '../../src/core/errors.js';
import { sleep } from '../../src/primitives/sleep.js';
import { withTimeout } from '../../src/primitives/timeout.js';

describe('withTimeout', () => {
  it('settles like the work when it finishes in time', async () => {
    assert.equal(await withTimeout(async () => 7, 1_000), 7);
    assert.equal(await withTimeout(Promise.resolve('p'), 1_000), 'p');
    await assert.rejects(withTimeout(Promise.reject(new Error('own')), 1_000), /own/);
  });

  it('rejects with TimeoutError at the deadline and fires the signal the work was given', async () => {
    let seen: unknown;
    await assert.rejects(
      withTimeout(async (signal) => {
        await sleep(10_000, { signal }).catch((error: unknown) => {
          seen = error;
        });
      }, 20),
      (error: unknown) => error instanceof TimeoutError && error.timeoutMs === 20,
    );
    assert.ok(seen instanceof TimeoutError, 'the work saw the timeout through its signal');
  });

  it('abandons a bare promise that outlives the deadline', async () => {
    await assert.rejects(withTimeout(new Promise(() => {}), 10), TimeoutError);
  });

  it('rejects with CancelledError when the outer signal aborts first', async () => {
    const controller = new AbortController();
    const running = withTimeout((signal) => sleep(10_000, { signal }), 10_000, {
      signal: controller.signal,
    });
    controller.abort();
    await assert.rejects(running, CancelledError);
  });

  it('a function that throws synchronously rejects', async () => {
    await assert.rejects(
      withTimeout(() => {
        throw new Error('sync');
      }, 1_000),
      /sync/,
    );
  });
});

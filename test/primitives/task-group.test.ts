import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError } from '../../src/core/errors.js';
import { sleep } from '../../src/primitives/sleep.js';
import { taskGroup } from '../../src/primitives/task-group.js';

describe('taskGroup', () => {
  it('resolves with what the body returned once every spawned task has settled', async () => {
    const finished: number[] = [];
    const result = await taskGroup(async (g) => {
      for (const ms of [30, 10, 20])
        g.spawn(async () => finished.push(await sleep(ms).then(() => ms)));
      return 'body';
    });
    assert.equal(result, 'body');
    assert.deepEqual(finished.sort(), [10, 20, 30]);
  });

  it('the first failure aborts the others, waits for them, and rejects with that failure alone', async () => {
    const boom = new Error('boom');
    const events: string[] = [];
    await assert.rejects(
      taskGroup((g) => {
        g.spawn(async (signal) => {
          try {
            await sleep(10_000, { signal });
          } finally {
            await sleep(20);
            events.push('sibling settled');
          }
        });
        g.spawn(async () => {
          await sleep(10);
          throw boom;
        });
      }),
      (error) => error === boom,
    );
    assert.deepEqual(events, ['sibling settled'], 'the group waited for the cancelled sibling');
  });

  it('several failures on their own reject with an AggregateError of them', async () => {
    await assert.rejects(
      taskGroup((g) => {
        g.spawn(() => Promise.reject(new Error('a')));
        g.spawn(() => {
          throw new Error('b');
        });
      }),
      (error: unknown) =>
        error instanceof AggregateError &&
        error.errors
          .map((e: Error) => e.message)
          .sort()
          .join() === 'a,b',
    );
  });

  it('a failing body cancels the spawned tasks', async () => {
    let cancelled = false;
    await assert.rejects(
      taskGroup(async (g) => {
        g.spawn(async (signal) => {
          await sleep(10_000, { signal }).catch((error: unknown) => {
            cancelled = error instanceof CancelledError;
          });
        });
        throw new Error('body failed');
      }),
      /body failed/,
    );
    assert.equal(cancelled, true);
  });

  it('the outer signal cancels the group, which rejects with CancelledError', async () => {
    const controller = new AbortController();
    const group = taskGroup(
      (g) => {
        g.spawn((signal) => sleep(10_000, { signal }));
      },
      { signal: controller.signal },
    );
    controller.abort();
    await assert.rejects(group, CancelledError);
  });

  it('spawn after the group finished throws, saying where to spawn instead', async () => {
    let late: Parameters<Parameters<typeof taskGroup>[0]>[0] | undefined;
    await taskGroup((g) => {
      late = g;
    });
    assert.throws(() => late!.spawn(() => 1), /spawn from inside the body/);
  });
});

/**
 * A task's timeout clock covers its own run only, in both pool modes, with real workers:
 * not its wait in the line, not the wait behind a busy worker's other jobs, not a fresh
 * worker's start-up or the loading of its module; and an answer is never held back past
 * its deadline. A runaway task is a timeout, never a crash.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createExecutor,
  type ThreadsOptions,
  TimeoutError,
  task,
  WorkerCrashedError,
} from '../../../src/index.js';
import { fixtures, TEST_TIMEOUT } from './real-workers.js';

const busy = task<number, number>(fixtures, 'busy');
const slowImport = new URL('./fixtures/slow-import.mjs', import.meta.url);

/** Each outcome as its value or its error's name. */
const outcomes = (settled: readonly PromiseSettledResult<unknown>[]) =>
  settled.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).name));

for (const mode of ['threads', 'processes'] as const) {
  const make = (options: Omit<ThreadsOptions, 'mode'> = {}) =>
    createExecutor({ mode, workers: 1, ...options });

  describe(`${mode}: a timeout blames the task that ran past it`, { timeout: TEST_TIMEOUT }, () => {
    it('of inputs taking [0, 0, 0, 0, 800, 0, 0, 0] ms under timeout 500, only the 800 ms one times out', async () => {
      await using ex = make({ timeout: 500 });
      // Warm: the worker has learnt that busy is quick, so it would batch answers behind it.
      await Promise.all([0, 0, 0].map((ms) => ex.submit(busy, ms)));
      for (let round = 0; round < 3; round++) {
        const settled = await Promise.allSettled(
          [0, 0, 0, 0, 800, 0, 0, 0].map((ms) => ex.submit(busy, ms)),
        );
        assert.deepEqual(
          outcomes(settled),
          [0, 0, 0, 0, 'TimeoutError', 0, 0, 0],
          `round ${round}`,
        );
      }
    });

    it('an input that never ends gets TimeoutError, not WorkerCrashedError, and is not retried as a crash', async () => {
      await using ex = make({ timeout: 300, retries: 2 });
      // One task, usually quick: the worker learns so, and would send its answers together.
      const storm = task<{ i: number; kind: string }, number>(fixtures, 'storm');
      const quick = (i: number) => ex.submit(storm, { i, kind: 'ok' });
      await Promise.all([1, 2, 3].map(quick));
      const before = [1, 2, 3].map(quick);
      const endless = ex.submit(storm, { i: 4, kind: 'endless' });
      const after = [5, 6, 7].map(quick);
      const error = await endless.catch((e: unknown) => e);
      assert.ok(error instanceof TimeoutError, String(error));
      assert.ok(!(error instanceof WorkerCrashedError));
      assert.deepEqual(await Promise.all([...before, ...after]), [1, 2, 3, 5, 6, 7]);
      assert.equal(ex.stats().retried, 0);
    });

    it("a fresh worker's start-up and its module's slow import are not counted: an instant task succeeds", async () => {
      await using ex = make({ timeout: 300 });
      const now = task<void, string>(slowImport, 'now');
      assert.equal(await ex.submit(now, undefined), 'instant');
      // Its worker dies: the replacement starts and imports the module (400 ms) again.
      await assert.rejects(ex.submit(task(slowImport, 'exit'), 3), WorkerCrashedError);
      assert.equal(await ex.submit(now, undefined), 'instant');
      assert.equal(await ex.submit(now, undefined, { timeout: 300 }), 'instant');
    });
  });
}

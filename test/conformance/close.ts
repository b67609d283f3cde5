/**
 * The conformance suite's tests of closing an executor: `close()` waits for what it
 * accepted, `close({ cancel: true })` and `close({ timeout })` cancel what is left, a map
 * running at the time ends with `ExecutorClosedError`, and `await using` closes it too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, type Executor, ExecutorClosedError } from '../../src/index.js';
import { type ConformanceContext, FOREVER, jobs, markerText } from './context.js';

export function describeClose(context: ConformanceContext): void {
  const { make, open, marker } = context;

  describe('close', () => {
    it('close() waits for accepted tasks to finish, then resolves', async (t) => {
      const ex = await open(t, { concurrency: 2 });
      const outputs: number[] = [];
      const accepted = [0, 1, 2].map((value) =>
        ex.submit(jobs.outcome, { value, ms: 200 }).then((v) => outputs.push(v)),
      );
      await ex.close();
      assert.deepEqual(
        outputs.sort((a, b) => a - b),
        [0, 1, 2],
      );
      await Promise.all(accepted);
      assert.equal(ex.stats().completed, 3);
      assert.equal(ex.stats().running, 0);
    });

    it('close({ cancel: true }) cancels running and waiting tasks with CancelledError', async (t) => {
      const ex = await open(t, { concurrency: 1 });
      const started = marker();
      const aborted = marker();
      const running = ex.submit(jobs.outcome, { value: 0, ms: FOREVER, started, aborted });
      const waiting = ex.submit(jobs.outcome, { value: 1 });
      await markerText(started);
      await ex.close({ cancel: true });
      await assert.rejects(running, CancelledError);
      await assert.rejects(waiting, CancelledError);
      assert.equal(await markerText(aborted), 'AbortError');
    });

    it('close({ timeout }) waits that long for accepted tasks, then cancels what is left', async (t) => {
      const ex = await open(t, { concurrency: 2 });
      const quick = ex.submit(jobs.outcome, { value: 0, ms: 50 });
      const endless = ex.submit(jobs.outcome, { value: 1, ms: FOREVER });
      await ex.close({ timeout: 1_000 });
      assert.equal(await quick, 0);
      await assert.rejects(endless, CancelledError);
    });

    it('a map running when close() is called finishes what it started, then ends with ExecutorClosedError', async (t) => {
      const ex = await open(t, { concurrency: 2 });
      function* naturals(): Generator<number> {
        for (let i = 0; ; i++) yield i;
      }
      const results = ex.map(jobs.echo, naturals());
      const seen: unknown[] = [(await results.next()).value];
      const closed = ex.close();
      await assert.rejects(
        (async () => {
          for await (const value of results) seen.push(value);
        })(),
        ExecutorClosedError,
      );
      await closed;
      assert.deepEqual(
        seen,
        seen.map((_, i) => i),
      );
    });

    it('await using closes the executor at the end of the block', async () => {
      let ex: Executor;
      let pending: Promise<number>;
      {
        await using scoped = await make({});
        ex = scoped;
        pending = scoped.submit(jobs.outcome, { value: 5, ms: 100 });
      }
      assert.equal(await Promise.race([pending, 'still pending']), 5);
      await assert.rejects(ex.submit(jobs.echo, 1), ExecutorClosedError);
      await ex.close();
    });
  });
}

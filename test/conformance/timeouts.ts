/**
 * The conformance suite's tests of timeouts: a task past its own or the executor's timeout
 * rejects with `TimeoutError` and its `ctx.signal` says why, the clock starts when the task
 * does, and a task that never awaits is stopped (pools) or rejected once it returns.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, TimeoutError } from '../../src/index.js';
import {
  type ConformanceContext,
  collect,
  FOREVER,
  jobs,
  markerText,
  PATIENCE_MS,
} from './context.js';

export function describeTimeouts(context: ConformanceContext): void {
  const { stopsRunawayTasks, open, marker } = context;

  describe('timeouts', () => {
    it('a task past its timeout rejects with TimeoutError and its ctx.signal fires', async (t) => {
      const ex = await open(t);
      const aborted = marker();
      await assert.rejects(
        ex.submit(jobs.outcome, { value: 0, ms: FOREVER, aborted }, { timeout: 200 }),
        TimeoutError,
      );
      assert.equal(await markerText(aborted), 'TimeoutError');
    });

    it("ctx.signal.reason is switchyard's own TimeoutError or CancelledError, with its code", async (t) => {
      const ex = await open(t);
      const timedOut = marker();
      await assert.rejects(
        ex.submit(jobs.reasonOf, { ms: FOREVER, report: timedOut }, { timeout: 200 }),
        TimeoutError,
      );
      assert.equal(await markerText(timedOut), 'TimeoutError ERR_TIMEOUT timeoutMs=200');
      const cancelled = marker();
      const started = marker();
      const controller = new AbortController();
      const running = ex.submit(
        jobs.reasonOf,
        { ms: FOREVER, report: cancelled, started },
        { signal: controller.signal },
      );
      await markerText(started);
      controller.abort();
      await assert.rejects(running, CancelledError);
      assert.equal(await markerText(cancelled), 'AbortError ABORT_ERR');
    });

    it("the executor's timeout applies to every task, in map too", async (t) => {
      const ex = await open(t, { timeout: 200 });
      const settled = await collect(
        ex.mapSettled(jobs.outcome, [
          { value: 0, ms: FOREVER },
          { value: 1, ms: FOREVER },
        ]),
      );
      assert.equal(settled.length, 2);
      for (const s of settled) assert.ok(!s.ok && s.error instanceof TimeoutError);
      await assert.rejects(ex.submit(jobs.outcome, { value: 2, ms: FOREVER }), TimeoutError);
    });

    it('the timeout clock starts when the task starts running, not while it waits', async (t) => {
      const ex = await open(t, { concurrency: 1 });
      const first = ex.submit(jobs.outcome, { value: 0, ms: 1_500 });
      const second = ex.submit(jobs.outcome, { value: 1 }, { timeout: 750 });
      assert.deepEqual(await Promise.all([first, second]), [0, 1]);
    });

    if (stopsRunawayTasks) {
      it('a task that never awaits is stopped at its timeout, and the executor keeps working', async (t) => {
        const ex = await open(t, { concurrency: 1 });
        await assert.rejects(
          ex.submit(jobs.spin, { ms: 10 * PATIENCE_MS }, { timeout: 300 }),
          TimeoutError,
        );
        assert.equal(await ex.submit(jobs.echo, 'next'), 'next');
      });
    } else {
      it('a task that never awaits cannot be interrupted, but rejects with TimeoutError once it returns', async (t) => {
        const ex = await open(t);
        await assert.rejects(ex.submit(jobs.spin, { ms: 300 }, { timeout: 50 }), TimeoutError);
      });
    }
  });
}

/**
 * The conformance suite's tests of `stats()`: what it counts once tasks are done, and a
 * task running or waiting from the moment `submit` returns; its invariant while work stops
 * early is in `stats-invariant.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ConformanceContext,
  collect,
  eventually,
  FOREVER,
  jobs,
  markerText,
  oneRunningTwoBehind,
} from './context.js';
import { describeStatsInvariant } from './stats-invariant.js';

export function describeStats(context: ConformanceContext): void {
  const { mode, concurrent, open, marker } = context;

  describe('stats', () => {
    it('stats() counts completed and failed tasks and returns to idle', async (t) => {
      const ex = await open(t, { concurrency: 3 });
      const inputs = Array.from({ length: 10 }, (_, value) => ({ value, fail: value < 3 }));
      await collect(ex.mapSettled(jobs.outcome, inputs));
      await assert.rejects(ex.submit(jobs.outcome, { value: 10 }, { signal: AbortSignal.abort() }));
      const stats = ex.stats();
      assert.equal(stats.mode, mode);
      assert.equal(stats.completed, 7);
      assert.equal(stats.failed, 4);
      assert.equal(stats.running, 0);
      assert.equal(stats.queued, 0);
      assert.ok(stats.concurrency >= 1);
      assert.ok(Number.isInteger(stats.workers) && stats.workers >= 0);
      assert.ok(stats.utilization >= 0 && stats.utilization <= 1, `${stats.utilization}`);
    });

    it('a task counts as running or queued from the moment submit returns', async (t) => {
      const ex = await open(t);
      const started = marker();
      const first = ex.submit(jobs.outcome, { value: 0, ms: FOREVER, started });
      first.catch(() => {});
      const { running, queued } = ex.stats();
      assert.equal(running + queued, 1, `running ${running}, queued ${queued}`);
      await markerText(started);
    });

    it('stats() shows running and waiting tasks', async (t) => {
      const ex = await open(t, { concurrency: 1 });
      const started = marker();
      await oneRunningTwoBehind(ex, started);
      await eventually(() => {
        const { running, queued } = ex.stats();
        return running === 1 && queued === 2;
      }, 'one task running and two waiting');
    });

    describeStatsInvariant({ concurrent, open, marker, markerText, eventually });
  });
}

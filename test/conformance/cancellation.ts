/**
 * The conformance suite's tests of cancelling through an `AbortSignal`: a running task's
 * `ctx.signal` fires, a waiting task is dropped without starting, and a map's signal
 * cancels its tasks — each rejecting with `CancelledError`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CancelledError } from '../../src/index.js';
import { type ConformanceContext, FOREVER, jobs, markerText, rejection } from './context.js';

export function describeCancellation(context: ConformanceContext): void {
  const { open, marker } = context;

  describe('cancellation', () => {
    it("aborting a running task's signal fires its ctx.signal and rejects with CancelledError", async (t) => {
      const ex = await open(t, { concurrency: 1 });
      const controller = new AbortController();
      const started = marker();
      const aborted = marker();
      const running = ex.submit(
        jobs.outcome,
        { value: 0, ms: FOREVER, started, aborted },
        { signal: controller.signal },
      );
      await markerText(started);
      controller.abort();
      const error = await rejection(running);
      assert.ok(error instanceof CancelledError, `got ${String(error)}`);
      assert.equal(error.name, 'AbortError');
      assert.equal(await markerText(aborted), 'AbortError');
    });

    it('aborting a waiting task drops it: it never starts', async (t) => {
      const ex = await open(t, { concurrency: 1 });
      const first = new AbortController();
      const second = new AbortController();
      const started = [marker(), marker()];
      const running = ex.submit(
        jobs.outcome,
        { value: 0, ms: FOREVER, started: started[0] },
        { signal: first.signal },
      );
      const waiting = ex.submit(
        jobs.outcome,
        { value: 1, started: started[1] },
        { signal: second.signal },
      );
      await markerText(started[0]!);
      second.abort();
      await assert.rejects(waiting, CancelledError);
      first.abort();
      await assert.rejects(running, CancelledError);
      assert.equal(await ex.submit(jobs.echo, 'still works'), 'still works');
      assert.equal(existsSync(started[1]!), false, 'the dropped task never started');
    });

    it('a signal aborted before submit rejects without running the task', async (t) => {
      const ex = await open(t);
      const started = marker();
      await assert.rejects(
        ex.submit(jobs.outcome, { value: 0, started }, { signal: AbortSignal.abort() }),
        CancelledError,
      );
      assert.equal(existsSync(started), false);
    });

    it("aborting map's signal rejects the map with CancelledError and cancels its tasks", async (t) => {
      const ex = await open(t);
      const controller = new AbortController();
      const started = marker();
      const aborted = marker();
      const results = ex.map(jobs.outcome, [{ value: 0, ms: FOREVER, started, aborted }], {
        signal: controller.signal,
      });
      const next = results.next();
      await markerText(started);
      controller.abort();
      await assert.rejects(next, CancelledError);
      assert.equal(await markerText(aborted), 'AbortError');
    });
  });
}

/**
 * `loop` — cooperative multitasking on the event loop (asyncio's model) — and `sync`, the
 * same runner with room for one task at a time. Tasks switch only at `await`: a task
 * that computes without awaiting holds the thread, and neither its timeout nor a
 * cancellation can interrupt it until it yields. Its `ctx.signal` fires and its promise
 * is rejected at once all the same, so callers are never kept waiting.
 */
import { asTaskError, CancelledError, TimeoutError } from '../errors.js';
import { Semaphore } from '../primitives/semaphore.js';
import { raceAbort } from '../primitives/timeout.js';
import { loadTask } from '../task/loader.js';
import { describeTask, type TaskFunction } from '../task/reference.js';
import type { Runner } from './runner.js';

/** Default concurrency of `loop`: high enough to overlap I/O waits, low enough not to flood a server. */
export const LOOP_CONCURRENCY = 64;

export function eventLoopRunner(
  mode: 'sync' | 'loop',
  concurrency: number,
): Runner<TaskFunction<unknown, unknown>> {
  const slots = new Semaphore(concurrency);
  const since = performance.eventLoopUtilization();
  let running = 0;

  return {
    mode,
    concurrency,
    mapWindow: Math.min(concurrency, 1 << 16),
    prepare: (task) =>
      typeof task === 'function'
        ? Promise.resolve(task as TaskFunction<unknown, unknown>)
        : loadTask(task as Parameters<typeof loadTask>[0]),
    async run(fn, { input, controller, timeout, progress }) {
      const { signal } = controller;
      const release = await slots.acquire({ signal });
      running++;
      const expire = () => {
        if (!signal.aborted)
          controller.abort(new TimeoutError(timeout!, `task ${describeTask(fn)}`));
      };
      const deadline = timeout === undefined ? undefined : performance.now() + timeout;
      const timer = timeout === undefined ? undefined : setTimeout(expire, timeout);
      try {
        const output = await raceAbort(
          (taskSignal) => fn(input, { signal: taskSignal, workerId: 0, progress }),
          signal,
        );
        // A task that computed past its deadline without awaiting returns before its timer
        // can fire; it still timed out.
        if (deadline !== undefined && performance.now() >= deadline) {
          expire();
          throw signal.reason;
        }
        return output;
      } catch (error) {
        const stoppedFromOutside =
          signal.aborted && (error instanceof CancelledError || error instanceof TimeoutError);
        throw stoppedFromOutside ? error : asTaskError(error, describeTask(fn));
      } finally {
        clearTimeout(timer);
        running--;
        release();
      }
    },
    load: () => ({
      workers: 0,
      running,
      queued: slots.waiting,
      retried: 0,
      utilization: performance.eventLoopUtilization(since).utilization,
    }),
    close: () => Promise.resolve(),
  };
}

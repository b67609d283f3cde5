/**
 * A window on the calling thread that saw this task's worker threads start. Starting takes
 * a CPU per worker for a few hundred ms (a new isolate, the task's module imported again):
 * a cost the move pays once, not one the work would keep paying, and not what the workers
 * would compete with once they run it. So such a window is read as if they had not been
 * starting.
 */

import type { WindowSummary } from './measures.js';
import { SATURATED } from './settings.js';

/**
 * `m`, a window that saw the workers start, without them, on a machine of `cpus` CPUs. The
 * rest of the process's other threads (libuv's pool working for the tasks) would keep the
 * CPUs as busy after a move, and other programs that kept this thread waiting would slow
 * the workers as much: those stay.
 */
export function withoutOwnStart(m: WindowSummary, cpus: number): WindowSummary {
  const workers = m.ownWorkersBusy;
  return {
    ...m,
    // Their CPU time is not the process's other threads' (all of it is not known to be,
    // where theirs is not known — unless there was none).
    othersBusy: workers === undefined ? 0 : Math.max(0, m.othersBusy - workers),
    ...(workers === undefined && m.othersBusy > 0 ? { othersUnknown: true } : {}),
    workersStarted: true,
    contention: contentionBesidesOwn(m, cpus),
    throughput: m.throughput * ownStartSlowdown(m, cpus),
  };
}

/**
 * The contention of `m` that other programs caused, on a machine of `cpus` CPUs: the
 * calling thread's waits for a CPU beyond those the process's other threads can explain
 * (see {@link waitsOf}).
 */
export function contentionBesidesOwn(m: WindowSummary, cpus: number): number {
  const waits = waitsOf(m, cpus);
  if (!waits) return m.contention;
  const forOthersMs = waits.waitedMs - waits.forThreadsMs;
  return forOthersMs / (waits.cpuMs + forOthersMs);
}

/**
 * How many times as long a saturated calling thread took over the tasks of `m` as it
 * would have without its own workers starting: it finishes tasks as fast as it runs, and
 * of its waits for a CPU (see {@link waitsOf}), the starting workers can explain their
 * share of what the process's other threads can. The thread's throughput times this is
 * what the workers must beat: 2 workers importing a module on 2 CPUs can leave it two
 * thirds of its time, and would otherwise be judged against two thirds of what it does
 * alone. Until the workers' CPU time is known (each tells its thread as its isolate runs
 * its first code, tens of ms into a start that is busiest then), all of the process's
 * other threads' is taken for theirs. 1 where the thread had time to spare (the waits
 * cost it little).
 */
export function ownStartSlowdown(m: WindowSummary, cpus: number): number {
  const workers = m.ownWorkersBusy ?? m.othersBusy;
  const waits = waitsOf(m, cpus);
  if (m.busyShare < SATURATED || !waits || m.othersBusy <= 0) return 1;
  const forWorkersMs = waits.forThreadsMs * Math.min(1, workers / m.othersBusy);
  const runnableMs = waits.cpuMs + waits.waitedMs;
  return runnableMs / (runnableMs - forWorkersMs);
}

/**
 * The calling thread's CPU time over `m`, the time it waited for a CPU, and how much of
 * that the process's other threads can explain, on a machine of `cpus` CPUs: while it
 * waited, every CPU ran something else — those threads, or other programs — and those
 * threads, busy `othersBusy` CPUs on average, can have filled them for at most their CPU
 * time ÷ `cpus`. `undefined` where it never waited for a CPU, or never ran.
 */
function waitsOf(
  m: WindowSummary,
  cpus: number,
): { cpuMs: number; waitedMs: number; forThreadsMs: number } | undefined {
  if (m.contention <= 0 || m.contention >= 1) return undefined;
  const cpuMs = m.cpuPerTaskMs * m.completions;
  const waitedMs = (cpuMs * m.contention) / (1 - m.contention);
  const forThreadsMs = Math.min(waitedMs, (m.othersBusy * m.spanMs) / cpus);
  return { cpuMs, waitedMs, forThreadsMs };
}

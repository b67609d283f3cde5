/**
 * A window on the calling thread that saw this task's worker threads start. Starting takes
 * a CPU per worker for a few hundred ms (a new isolate, the task's module imported again):
 * a cost the move pays once, not one the work would keep paying, and not what the workers
 * would compete with once they run it. So such a window is read as if they had not been
 * starting.
 */
import { SATURATED } from './settings.js';
import type { WindowSummary } from './window.js';

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
    // where theirs is not known).
    othersBusy: workers === undefined ? 0 : Math.max(0, m.othersBusy - workers),
    ...(workers === undefined ? { othersUnknown: true } : {}),
    contention: contentionBesidesOwn(m, cpus),
    throughput: m.throughput * ownStartSlowdown(m, cpus),
  };
}

/**
 * The contention of `m` that other programs caused, on a machine of `cpus` CPUs: while
 * the calling thread waited for a CPU, every CPU ran something else — the process's other
 * threads, or other programs. Those threads, busy `othersBusy` CPUs on average, can have
 * filled them for at most their CPU time ÷ `cpus`; the thread's waits beyond that were for
 * other programs.
 */
export function contentionBesidesOwn(m: WindowSummary, cpus: number): number {
  if (m.contention <= 0 || m.contention >= 1) return m.contention;
  const cpuMs = m.cpuPerTaskMs * m.completions;
  const waitedMs = (cpuMs * m.contention) / (1 - m.contention);
  const forOthersMs = Math.max(0, waitedMs - (m.othersBusy * m.spanMs) / cpus);
  return forOthersMs / (cpuMs + forOthersMs);
}

/**
 * How many times as long a saturated calling thread took over the tasks of `m` as it
 * would have without its own workers starting: it finishes tasks as fast as it runs, and
 * it waited for a CPU while every one ran something else. The process's other threads can
 * have filled them for at most their CPU time ÷ `cpus` (see {@link contentionBesidesOwn});
 * the starting workers, for their share of that. The thread's throughput times this is
 * what the workers must beat: 2 workers importing a module on 2 CPUs can leave it two
 * thirds of its time, and would otherwise be judged against two thirds of what it does
 * alone. 1 where the thread had time to spare (the waits cost it little), or where the
 * workers' CPU time is not known.
 */
export function ownStartSlowdown(m: WindowSummary, cpus: number): number {
  const workers = m.ownWorkersBusy;
  if (workers === undefined || m.busyShare < SATURATED || m.othersBusy <= 0) return 1;
  if (m.contention <= 0 || m.contention >= 1) return 1;
  const cpuMs = m.cpuPerTaskMs * m.completions;
  const waitedMs = (cpuMs * m.contention) / (1 - m.contention);
  const forThreadsMs = Math.min(waitedMs, (m.othersBusy * m.spanMs) / cpus);
  const forWorkersMs = forThreadsMs * Math.min(1, workers / m.othersBusy);
  return (cpuMs + waitedMs) / (cpuMs + waitedMs - forWorkersMs);
}

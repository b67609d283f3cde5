/**
 * The worker threads on trial, after the work moved to them off a saturated calling
 * thread: the workers' first window pays for their start; of the next two, the better one
 * speaks for them (a worker's JIT warms up over its first tasks), and it is compared with
 * the calling thread's last window before the move. Threads that finish no clearly more
 * than the calling thread did give the work back, unless it may not leave them.
 */
import type { Measured } from './moves.js';
import type { Verifying } from './phases.js';
import { THREADS_GAIN_TO_STAY } from './settings.js';

/** What the trial found: the threads' throughput speaks for them as `threads`, `gain` times the calling thread's. */
export interface Verdict {
  readonly stay: boolean;
  readonly threads: Measured;
  /** Infinite when there was no calling-thread window to compare with. */
  readonly gain: number;
}

/**
 * The verdict on the trial after window `m` of the threads, or `undefined` while it goes
 * on; `loop` is the calling thread's window the threads must beat, and `mayLeave` whether
 * the work may go back to it.
 */
export function judgeThreads(
  trial: Verifying,
  m: Measured,
  loop: Measured | undefined,
  mayLeave: boolean,
): Verdict | undefined {
  trial.windows++;
  if (trial.windows < 2) return undefined;
  if (trial.windows === 2) {
    trial.first = m;
    return undefined;
  }
  const threads =
    trial.first && trial.first.throughput > m.throughput ? { ...trial.first, level: m.level } : m;
  const gain = loop ? threads.throughput / loop.throughput : Number.POSITIVE_INFINITY;
  return { stay: !(mayLeave && gain < THREADS_GAIN_TO_STAY), threads, gain };
}

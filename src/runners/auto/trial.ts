/**
 * The worker threads on trial, after the work moved to them off a saturated calling
 * thread: the workers' first window pays for their start; of the next two, the better one
 * speaks for them (a worker's JIT warms up over its first tasks), and it is compared with
 * the calling thread's last window before the move. Threads that finish no clearly more
 * than the calling thread did give the work back, unless it may not leave them.
 */
import type { Because, Measured } from './moves.js';
import { holding, type Step, type Verifying } from './phases.js';
import { THREADS_GAIN_TO_STAY } from './settings.js';

/** What the trial found; the threads' throughput speaks for them as `threads`. */
export type Verdict =
  /** The threads lost: `back` to the calling thread's level, held. */
  | { readonly threads: Measured; readonly back: Step }
  /** The threads keep the work; `because` they beat the calling thread, when there was one to beat. */
  | { readonly threads: Measured; readonly back?: undefined; readonly because?: Because };

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
  if (!loop) return { threads };
  const gain = threads.throughput / loop.throughput;
  if (mayLeave && gain < THREADS_GAIN_TO_STAY) {
    const to = { route: 'loop', level: loop.level } as const;
    return {
      threads,
      back: { to, phase: holding(loop), because: { kind: 'threads-slower', gain, loop } },
    };
  }
  return { threads, because: { kind: 'threads-faster', gain, loop } };
}

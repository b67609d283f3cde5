/**
 * The worker threads on trial, after the work moved to them off a saturated calling
 * thread: the workers' first window pays for their start; of the next two, the better one
 * speaks for them (a worker's JIT warms up over its first tasks), and it is compared with
 * the calling thread's last window before the move. Threads that finish no clearly more
 * than the calling thread did give the work back, unless it may not leave them — or
 * unless their workers sat idle much of the time: the tasks wait there too, more than
 * the level they started at allowed for, and the trial goes on with more per worker. A
 * trial lost to a calling thread that then, back with the work, finishes clearly fewer than
 * the threads did is held again, against it as it is now.
 */
import { stepFor, stepUp } from './climb.js';
import { idleWorkers, mayShareWorkers, type Sharing } from './first-window.js';
import type { Because, LawContext, Measured } from './moves.js';
import { holding, type Step, type Verifying } from './phases.js';
import { THREADS_GAIN_TO_STAY } from './settings.js';

/** What the trial found; the threads' throughput speaks for them as `threads`. */
export type Verdict =
  /** The threads lost: `back` to the calling thread's level, held. */
  | { readonly threads: Measured; readonly back: Step; readonly more?: undefined }
  /** The threads lost with idle workers: the trial begins again with `more` tasks per worker. */
  | { readonly threads: Measured; readonly more: Step; readonly back?: undefined }
  /** The threads keep the work; `because` they beat the calling thread, when there was one to beat. */
  | {
      readonly threads: Measured;
      readonly back?: undefined;
      readonly more?: undefined;
      readonly because?: Because;
    };

/** What the trial may know of the workers besides their measurements. */
export interface TrialContext extends Pick<LawContext, 'workers' | 'maxPerWorker'> {
  /** The work may go back to the calling thread. */
  readonly mayLeave: boolean;
  /** Tasks may share a worker (no timeout forbids it, and they do not compute alone). */
  readonly mayShare: boolean;
}

/**
 * Whether tasks on trial on the workers at `m` may share a worker, should the workers sit
 * idle: as {@link mayShareWorkers} allows — and, for tasks that started alone because they
 * computed in their call on the calling thread, when the workers held as many as they were
 * given. Tasks that compute alone then keep their worker busy; idle workers mean the tasks
 * wait there after all (the calling thread's CPU per task, inflated while its JIT warmed
 * up, can make work half of which waits look as if it computed alone). With fewer in
 * flight, the tasks came too slowly to share out.
 */
export function mayShareOnTrial(m: Measured, sharing: Sharing): boolean {
  return mayShareWorkers(m, sharing, m.inFlight >= m.level * sharing.workers);
}

/**
 * The verdict on the trial after window `m` of the threads, or `undefined` while it goes
 * on; `loop` is the calling thread's window the threads must beat.
 */
export function judgeThreads(
  trial: Verifying,
  m: Measured,
  loop: Measured | undefined,
  context: TrialContext,
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
  if (context.mayLeave && gain < THREADS_GAIN_TO_STAY) {
    const more = moreFor(threads, gain, loop, context);
    if (more) return { threads, more };
    const to = { route: 'loop', level: loop.level } as const;
    return {
      threads,
      back: { to, phase: holding(loop), because: { kind: 'threads-slower', gain, loop } },
    };
  }
  return { threads, because: { kind: 'threads-faster', gain, loop } };
}

/**
 * More tasks per worker, as far as the workers' idle time shows room for, when the
 * workers were far from busy and this thread was not the bottleneck (sending the tasks,
 * taking their results): the tasks wait on the workers too. The level the move started
 * at covers the waits the calling thread saw (the fastest task's, or the mean before it
 * saturated), which can undercount work whose tasks differ (half of them computing, half
 * waiting).
 */
function moreFor(
  threads: Measured,
  gain: number,
  loop: Measured,
  { workers, maxPerWorker, mayShare }: TrialContext,
): Step | undefined {
  const busy = idleWorkers(threads, workers, threads.busyShare);
  if (!mayShare || busy === undefined) return undefined;
  const because = { kind: 'workers-idle', gain, workersBusy: busy, loop } as const;
  const more = stepUp(threads, stepFor(busy), maxPerWorker, because);
  if (more.to.level <= threads.level) return undefined;
  // The workers are running: the next window is judged at once.
  return { ...more, phase: { kind: 'verifying', windows: 1 } };
}

/**
 * The calling thread's first window back after the threads lost their trial (`threads`,
 * their last window) is `m`, saturated: when it finishes clearly fewer than they did, the
 * tasks take longer than in the window the threads were judged against (a `map` whose
 * inputs grow, a phase that computes more), so the verdict was on stale evidence. The work
 * goes back to the workers, still running and warm — their first window counts — on trial
 * against `m`; `undefined` when it stays.
 */
export function retrial(threads: Measured, m: Measured): Step | undefined {
  const gain = threads.throughput / m.throughput;
  if (gain < THREADS_GAIN_TO_STAY) return undefined;
  return {
    to: { route: 'threads', level: threads.level },
    phase: { kind: 'verifying', windows: 1 },
    because: { kind: 'loop-slower', gain, threads },
  };
}

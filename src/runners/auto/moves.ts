/**
 * The words the control law speaks in: levels (where tasks run and how many at once),
 * the measurements taken at a level, what the law may know besides, and its moves, each
 * with the facts it was made on (which `reasons.ts` turns into a sentence).
 */

import type { WindowSummary } from './measures.js';
import { COMPUTES_IN_CALL, HELD_BY_TASKS, SAW_QUICKEST, WAITS_LITTLE } from './settings.js';

export type Route = 'loop' | 'threads';

/** `loop`: tasks in flight on the calling thread; `threads`: tasks per worker. */
export interface Level {
  readonly route: Route;
  readonly level: number;
}

/** A window's measurements and the level they were taken at. */
export type Measured = WindowSummary & Level;

/**
 * The share of the time `workers` worker threads were busy in `m`, from the process's
 * other threads' CPU time; `undefined` off the workers, or not measured (a window that saw
 * workers start counts none of their time).
 */
export function workersBusy(m: Measured, workers: number): number | undefined {
  const measured = m.route === 'threads' && m.othersBusy > 0 && !m.workersStarted;
  return measured ? m.othersBusy / workers : undefined;
}

/**
 * Whether the calling thread's busy share in `m` can make it the tasks' bottleneck: they
 * held it for a fair share of its time neither idle nor waiting for a CPU (see
 * {@link HELD_BY_TASKS}), or they only compute, in their call — whatever else held the
 * thread, worker threads would take all of the tasks' time off it.
 */
export function heldByTasks(m: WindowSummary): boolean {
  return m.heldShare >= HELD_BY_TASKS || computeOnly(m);
}

/**
 * Whether the tasks in `m` compute from call to finish without waiting: their CPU is
 * spent in the call, and even the fastest takes little more than a task holds the thread.
 */
export function computeOnly(m: WindowSummary): boolean {
  return m.callShare >= COMPUTES_IN_CALL && waitsLittle(m);
}

/**
 * Even the fastest task in `m` took little more than a task holds the thread on average
 * (its CPU, and its time blocked in its call): nothing says the tasks wait.
 */
export function waitsLittle(m: WindowSummary): boolean {
  return fastestPerInputMs(m) <= WAITS_LITTLE * m.heldPerTaskMs;
}

/**
 * ms the fastest run of `m` took per input: a chunk of a `map`'s tiny tasks runs them one
 * after another, so its time is theirs together — a chunk of 100 tasks of 10 µs takes 1 ms,
 * which is not a task that waits 1 ms. Compared with figures per input (a task's CPU), it
 * is this, not the run's time.
 */
export function fastestPerInputMs(m: WindowSummary): number {
  return m.fastestMs / Math.max(m.inputsPerRun, 1);
}

/** ms a run of `m` took by Little's law: the runs in flight ÷ the runs finished a second. */
export function littleMs(m: WindowSummary): number {
  return (1000 * m.inFlight * m.inputsPerRun) / Math.max(m.throughput, 1e-9);
}

/**
 * `m` closed while it had seen mostly its quickest tasks finish: those it held in flight
 * took far longer (see {@link SAW_QUICKEST}) than those it saw finish. A first window closes
 * on its first completions, and where tasks take from 20 to 200 ms those are the quick
 * ones; where one in ten waits 100 ms, the quick ones finish at a rate the places in flight
 * keep only until the slow ones hold most of them. Its mean latency is then too short, and
 * its throughput may be a passing stretch's. So is a window whose tasks queued for
 * something that serves fewer at once than it held: the figures to judge by are then
 * measured again.
 */
export function sawQuickest(m: WindowSummary): boolean {
  return littleMs(m) > SAW_QUICKEST * m.latencyMs;
}

/** Whether the limit held back tasks in `m` (with `workers` worker threads): otherwise the window says nothing about it. */
export function binding(m: Measured, workers: number): boolean {
  const capacity = m.route === 'loop' ? m.level : m.level * workers;
  return m.inFlight >= 0.8 * capacity;
}

/** What the law may use besides the measurements. */
export interface LawContext {
  /** Worker threads `threads` would have. */
  readonly workers: number;
  /** CPUs this process may use. */
  readonly cpus: number;
  /** Why worker threads cannot run this task; `undefined` when they can. */
  readonly threadsUnavailable: string | undefined;
  /** Most tasks in flight on the calling thread. */
  readonly maxLoop: number;
  /** Most tasks per worker. */
  readonly maxPerWorker: number;
  /**
   * ms of the calling thread's time to send one input of the tasks measured in `m` to a
   * worker, as the tasks come now.
   */
  readonly dispatchMs: (m: WindowSummary) => number;
  /**
   * Whether the tasks come now in a way that lets tiny ones be started in chunks on the
   * calling thread (a `map` without a timeout).
   */
  readonly chunkable: () => boolean;
  /**
   * Inputs waiting for room now: what the caller offers beyond the tasks in flight (a
   * `map` reads ahead; a caller who awaits each `submit` offers none). Where absent, not
   * known, and not counted.
   */
  readonly waiting?: () => number;
  /**
   * Inputs left to finish, where that is all the work there will be: every `map` of the
   * task knows how many inputs it has yet to read (an array's), and no `submit` was made.
   * `undefined` while more may come; where absent, never known.
   */
  readonly remaining?: () => number | undefined;
  /**
   * Tasks begun on the calling thread and not yet ended (a chunk's inputs each): they end
   * there whatever the law decides. Where absent, none.
   */
  readonly inFlightHere?: () => number;
  /**
   * ms until worker threads could take the tasks: starting them (unless they run) and
   * loading the task there, less what a start under way has done; 0 once they have it.
   * Where absent, 0.
   */
  readonly msToWorkers?: () => number;
}

/** Why the law moved (or stayed): the facts a sentence is made of (see `reasons.ts`). */
export type Because =
  | { readonly kind: 'start' }
  /** None of the `inFlight` tasks on the calling thread had finished after `afterMs`, which kept it busy `busyShare` of the time. */
  | {
      readonly kind: 'none-finished';
      readonly inFlight: number;
      readonly afterMs: number;
      readonly busyShare: number;
    }
  /** The busiest of the threads that run the tasks was `busyShare` busy: the calling thread, or (`workers`) the worker threads. */
  | { readonly kind: 'room'; readonly busyShare: number; readonly workers?: boolean }
  | {
      readonly kind: 'climb';
      readonly gain: number;
      readonly ratio: number;
      readonly from: Measured;
    }
  | {
      readonly kind: 'knee';
      readonly gain: number;
      readonly latencyRatio: number;
      readonly from: Measured;
    }
  /** A step up from `from`, a window that saw mostly its quickest tasks, brought no more (`gain`): `from` is measured again. */
  | { readonly kind: 'recheck'; readonly gain: number; readonly from: Measured }
  /**
   * The level of `first` measured again, `stepUp` (a step up from it) was judged against
   * it: it `paid`, or was past a knee; it finished `gain` times as many, each task taking
   * `latencyRatio` times as long.
   */
  | {
      readonly kind: 'rechecked';
      readonly first: Measured;
      readonly stepUp: Measured;
      readonly paid: boolean;
      readonly gain: number;
      readonly latencyRatio: number;
    }
  | { readonly kind: 'most' }
  | { readonly kind: 'cpus-full'; readonly busyShare: number; readonly othersBusy: number }
  | { readonly kind: 'fewer-as-good'; readonly best: Measured }
  | { readonly kind: 'fewer-worse'; readonly best: Measured }
  | { readonly kind: 'saturated'; readonly predictedGain: number; readonly workers: number }
  | {
      readonly kind: 'saturating';
      readonly predictedGain: number;
      readonly workers: number;
      /** The calling thread as projected at the level where it would be saturated. */
      readonly at: Measured;
    }
  | { readonly kind: 'saturated-stay'; readonly why: string }
  | { readonly kind: 'fill'; readonly busyShare: number; readonly why: string }
  | { readonly kind: 'thin'; readonly busyShare: number; readonly why: string }
  | { readonly kind: 'fewer-better'; readonly gain: number; readonly from: Measured }
  | {
      readonly kind: 'thin-failed';
      readonly gain: number;
      readonly from: Measured;
      readonly why: string;
    }
  | { readonly kind: 'threads-faster'; readonly gain: number; readonly loop: Measured }
  | { readonly kind: 'threads-slower'; readonly gain: number; readonly loop: Measured }
  /** Back on the calling thread after the threads lost, it finished `gain` times fewer than they did. */
  | { readonly kind: 'loop-slower'; readonly gain: number; readonly threads: Measured }
  | {
      readonly kind: 'workers-idle';
      readonly gain: number;
      readonly workersBusy: number;
      readonly loop: Measured;
    }
  | { readonly kind: 'changed'; readonly reference: Measured }
  /** A step down from `floor` finished fewer, each task no quicker (see `slowedAnyway`). */
  | { readonly kind: 'slowed'; readonly floor: Measured }
  | { readonly kind: 'mostly-waiting' }
  | { readonly kind: 'probe' }
  | { readonly kind: 'probe-failed'; readonly gain: number; readonly from: Measured }
  | { readonly kind: 'pinned' }
  | { readonly kind: 'timeout-alone' }
  | { readonly kind: 'alone' }
  /** Tasks that compute alone left the workers idle, busy `workersBusy` of the time (see `fedLate`). */
  | { readonly kind: 'fed-late'; readonly workersBusy: number }
  | { readonly kind: 'threads-failed'; readonly why: string }
  | { readonly kind: 'crashed'; readonly why: string };

/** The law's answer to a window: where to go (possibly where it is), and why. */
export interface Move {
  readonly to: Level;
  readonly because: Because;
  /** The window that led here. */
  readonly measured: Measured | undefined;
}

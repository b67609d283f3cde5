/**
 * What moving the work of a saturated calling thread to worker threads would bring: the
 * gain they are predicted to give, whether that pays for their start over the work left,
 * and — when it does not — why, in a reason's words.
 */
import { offeredInputs, threadsGain } from './handover.js';
import type { LawContext, Measured } from './moves.js';
import { contentionBesidesOwn } from './own-start.js';
import { whyTooLittleLeft } from './reasons.js';
import { CONTENDED, THREADS_GAIN_TO_MOVE, THREADS_GAIN_TO_STAY } from './settings.js';
import { tooLittleLeft } from './work-left.js';

export interface ThreadsOutlook {
  /** How many times as many tasks the workers should finish (see {@link threadsGain}). */
  readonly predictedGain: number;
  /** Threads are at hand, predicted to gain enough, and enough work is left to pay for their start. */
  readonly pays: boolean;
  /**
   * They would gain too little to keep the work, or the work left would be done before
   * they paid for their start: workers begun on an earlier sign are not needed.
   */
  readonly ruledOut: boolean;
  /** Why the move does not pay, for a reason's sentence. */
  whyNot(): string;
}

/**
 * The outlook after `m`, a saturated window on the calling thread; `run` is the saturated
 * run it belongs to (its other threads' CPU per task, its contention), `threadsUnavailable`
 * why threads are not among the modes at hand, if they are not.
 */
export function threadsOutlook(
  m: Measured,
  context: LawContext,
  run: { readonly othersPerTaskMs: number; readonly contention: number },
  threadsUnavailable: string | undefined,
): ThreadsOutlook {
  const predictedGain = threadsGain(m, context, run);
  const gainEnough = threadsUnavailable === undefined && predictedGain >= THREADS_GAIN_TO_MOVE;
  // At the rate it finishes them now: the run's best may be from before the work changed.
  const left = gainEnough ? tooLittleLeft(m, predictedGain, context) : undefined;
  return {
    predictedGain,
    pays: gainEnough && !left,
    ruledOut: predictedGain < THREADS_GAIN_TO_STAY || left !== undefined,
    whyNot: () =>
      threadsUnavailable ??
      (left
        ? whyTooLittleLeft(left, predictedGain)
        : whyThreadsWouldNotHelp(predictedGain, run.contention, m, context)),
  };
}

/**
 * Why worker threads would not help, for a reason's sentence, after `m`, a saturated
 * window: the caller offers too few inputs at once (see {@link offeredInputs}), the CPUs
 * are busy — with other programs, or with this process's other threads when they explain
 * this thread's waits (`contention`, the run's) — or each task costs too little to send.
 */
export function whyThreadsWouldNotHelp(
  predictedGain: number,
  contention: number,
  m: Measured,
  context: LawContext,
): string {
  const gain = `worker threads would finish only ${predictedGain.toFixed(1)}× as many`;
  if (offeredInputs(m, context) < 2)
    return `${gain}: the tasks come one at a time (each is submitted once the one before has finished), which one worker runs no faster than this thread`;
  const waited = `this thread waited for one ${Math.round(contention * 100)}% of the time it could have run`;
  if (contention >= CONTENDED && contentionBesidesOwn(m, context.cpus) < CONTENDED)
    return `${gain}: this process's other threads (libuv's pool working for the tasks, the garbage collector) keep this machine's CPUs busy, and would compete with the workers (${waited})`;
  if (contention >= CONTENDED)
    return `${gain}: other work keeps this machine's CPUs busy (${waited})`;
  return `${gain}, since sending each task to one costs about as much as running it here, or they would hold fewer in flight`;
}

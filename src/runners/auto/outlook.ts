/**
 * What moving the work of a saturated calling thread to worker threads would bring: the
 * gain they are predicted to give, whether that pays for their start over the work left,
 * and — when it does not — why, in a reason's words.
 */
import { threadsGain } from './handover.js';
import type { LawContext, Measured } from './moves.js';
import { whyThreadsWouldNotHelp, whyTooLittleLeft } from './reasons.js';
import { THREADS_GAIN_TO_MOVE, THREADS_GAIN_TO_STAY } from './settings.js';
import { tooLittleLeft } from './work-left.js';

export interface ThreadsOutlook {
  /** How many times as many tasks the workers should finish (see {@link threadsGain}). */
  readonly predictedGain: number;
  /** Threads are at hand, predicted to gain enough, and enough work is left to pay for their start. */
  readonly pays: boolean;
  /**
   * They pay, or might: the window could not tell the process's other threads from the
   * workers' start, and without any CPU of theirs per task the gain would be enough.
   */
  readonly mayPay: boolean;
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
  // A window whose other threads' CPU could not be told from the workers' start predicts
  // with an earlier window's figure for them, which warm-up may have inflated, and its wait
  // for a CPU may be the start's: the gain without either is the most the workers could
  // bring, and decides only when even it falls short — as it does for tiny tasks whose
  // first windows paid for compiling them.
  const mostGain = m.othersUnknown
    ? threadsGain(m, context, { othersPerTaskMs: 0, contention: 0 })
    : predictedGain;
  return {
    predictedGain,
    pays: gainEnough && !left,
    // The same test as `pays` where the others are known; the best case's where they are not.
    mayPay: threadsUnavailable === undefined && mostGain >= THREADS_GAIN_TO_MOVE && !left,
    ruledOut: mostGain < THREADS_GAIN_TO_STAY || left !== undefined,
    whyNot: () =>
      threadsUnavailable ??
      (left
        ? whyTooLittleLeft(left, predictedGain)
        : whyThreadsWouldNotHelp(predictedGain, run, m, context)),
  };
}

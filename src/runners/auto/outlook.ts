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
    // Not on a window whose other threads' CPU could not be told from the workers' start:
    // the gain is then predicted from an earlier window's, which warm-up may have inflated.
    ruledOut: (predictedGain < THREADS_GAIN_TO_STAY && !m.othersUnknown) || left !== undefined,
    whyNot: () =>
      threadsUnavailable ??
      (left
        ? whyTooLittleLeft(left, predictedGain)
        : whyThreadsWouldNotHelp(predictedGain, run, m, context)),
  };
}

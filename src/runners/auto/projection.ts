/**
 * Moving work to worker threads before the calling thread saturates: a step up that queued
 * nothing shows how far the thread has to go, and what threads would gain once it got there.
 */
import { threadsGain } from './handover.js';
import type { LawContext, Measured } from './moves.js';
import { unqueued } from './phases.js';
import { THREADS_GAIN_TO_MOVE } from './settings.js';

/**
 * The calling thread as it would measure once saturated, projected from `m`, a step up
 * from `previous` on it; `undefined` unless it would saturate within `most` in flight.
 * Only a step whose throughput rose as much as its tasks in flight did is projected: its
 * tasks queued for nothing, so more in flight would finish proportionally more, at the
 * same CPU per task, until the thread is busy all the time — at about `m.level ÷ busy
 * share` in flight, finishing `throughput ÷ busy share`. Work that queues for a server or
 * libuv's pool shows a smaller gain and is never projected.
 */
function projectSaturation(previous: Measured, m: Measured, most: number): Measured | undefined {
  const busy = m.busyShare;
  if (m.route !== 'loop' || busy <= 0 || !unqueued(previous, m)) return undefined;
  const level = Math.ceil(m.level / busy);
  if (level > most) return undefined;
  return {
    ...m,
    level,
    inFlight: m.inFlight / busy,
    throughput: m.throughput / busy,
    busyShare: 1,
    recentBusyShare: 1,
  };
}

/**
 * The calling thread projected saturated (see {@link projectSaturation}) after `m`, a step
 * up from `previous`, when worker threads are predicted to finish clearly more than it
 * would then (`predictedGain` times as many); else `undefined`.
 */
export function projectHandover(
  previous: Measured,
  m: Measured,
  context: LawContext,
): { readonly at: Measured; readonly predictedGain: number } | undefined {
  const at = projectSaturation(previous, m, context.maxLoop);
  if (!at) return undefined;
  const predictedGain = threadsGain(at, context, m);
  return predictedGain >= THREADS_GAIN_TO_MOVE ? { at, predictedGain } : undefined;
}

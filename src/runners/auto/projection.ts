/**
 * Moving work to worker threads before the calling thread saturates: a step up that queued
 * nothing shows how far the thread has to go, and what threads would gain once it got there.
 */
import { heldByTasks, type LawContext, type Measured } from './moves.js';
import { threadsOutlook } from './outlook.js';
import { outran, unqueued } from './phases.js';
import { othersPerTaskMs } from './saturation.js';

/**
 * The calling thread as it would measure once saturated, projected from `m`, a window on
 * it; `undefined` unless it would saturate within `most` in flight. Tasks that queue for
 * nothing finish proportionally more with more in flight, at the same CPU per task, until
 * the thread is busy all the time — at about `m.level ÷ busy share` in flight, finishing
 * `throughput ÷ busy share`. Not a thread busy with something other than its tasks (see
 * {@link heldByTasks}): they would not saturate it as projected.
 */
function projectSaturation(m: Measured, most: number): Measured | undefined {
  const busy = m.busyShare;
  if (m.route !== 'loop' || busy <= 0 || !heldByTasks(m)) return undefined;
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

/** Where the calling thread would saturate, and what worker threads should gain over it there. */
export interface Projection {
  readonly at: Measured;
  readonly predictedGain: number;
}

/**
 * The calling thread projected saturated (see {@link projectSaturation}) after `m`, a step
 * up from `previous`, when worker threads are predicted to finish clearly more than it
 * would then (`predictedGain` times as many) over the work left; else `undefined`. Only a step whose
 * throughput rose as much as its tasks in flight did is projected: work that queues for a
 * server or libuv's pool shows a smaller gain, and more in flight would not fill the thread.
 * A step that rose clearly more shows the level before it slowed by the start (see
 * {@link outran}), and the CPU per task measured then still high; the next step is projected.
 */
export function projectHandover(
  previous: Measured,
  m: Measured,
  context: LawContext,
): Projection | undefined {
  return unqueued(previous, m) && !outran(previous, m) ? handoverAhead(m, context) : undefined;
}

/**
 * The same projection from `m` alone, before any step up has shown that its tasks queue for
 * nothing: not reason enough to move, but to start the workers, which take longer to load
 * than a step up takes to measure, so that they are ready if the move follows.
 */
export function handoverAhead(m: Measured, context: LawContext): Projection | undefined {
  const at = projectSaturation(m, context.maxLoop);
  if (!at) return undefined;
  const run = { othersPerTaskMs: othersPerTaskMs(m), contention: m.contention };
  const { pays, predictedGain } = threadsOutlook(at, context, run, undefined);
  return pays ? { at, predictedGain } : undefined;
}

/**
 * How far a step up goes. On the calling thread the first jump goes as far as its busy
 * share of late shows room for (a thread 5% busy can keep many times more in flight);
 * later steps double — each costs a turnover of its own to measure, and a step too far on
 * work that queues costs the most — unless the last step showed nothing queueing. On
 * worker threads, which show no busy share to go by, every step doubles.
 */
import type { Because, Measured } from './moves.js';
import { holding, type Step, stepRatios, unqueued } from './phases.js';
import { BUSY_TARGET, MAX_STEP, MIN_STEP } from './settings.js';

/** The first step of an exploration on the calling thread, by its headroom. */
export function firstStepUp(m: Measured, most: number): Step {
  return stepUp(m, stepFor(m.recentBusyShare), most, {
    kind: 'room',
    busyShare: m.recentBusyShare,
  });
}

/**
 * The step after `m`, a step up from `previous` that gained. A step that showed nothing
 * queueing lets the next go as far as the calling thread's headroom shows, as the first did.
 */
export function nextStepUp(previous: Measured, m: Measured, most: number): Step {
  const { ratio, gain } = stepRatios(previous, m);
  const headroom = unqueued(previous, m) ? MAX_STEP : MIN_STEP;
  const step = m.route === 'loop' ? stepFor(m.recentBusyShare, headroom) : MIN_STEP;
  return stepUp(m, step, most, { kind: 'climb', gain, ratio, from: previous });
}

/**
 * Up by `step` from `m` (at least one more), to at most `most`; a hold at `m` when it is
 * there already. A probe (`probing`) is judged against `m` and falls back to it.
 */
export function stepUp(
  m: Measured,
  step: number,
  most: number,
  because: Because,
  probing = false,
): Step {
  const level = Math.min(most, Math.max(m.level + 1, Math.round(m.level * step)));
  if (level <= m.level) return { to: m, phase: holding(m), because: { kind: 'most' } };
  return {
    to: { route: m.route, level },
    phase: probing ? { kind: 'probing', from: m } : { kind: 'climbing', previous: m },
    because,
  };
}

/**
 * A step up by the headroom of threads busy `busy` of the time: how many times more they
 * could take before the busy share a climb aims at, from {@link MIN_STEP} to `most`. On
 * the calling thread, its busy share over the later half of a window: what it keeps up
 * with now, not while it was still warming up.
 */
export function stepFor(busy: number, most = MAX_STEP): number {
  return Math.min(most, Math.max(MIN_STEP, BUSY_TARGET / Math.max(busy, 1e-3)));
}

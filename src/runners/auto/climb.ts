/**
 * How far a step up goes. The first jump of an exploration goes as far as the busy share
 * of the threads that run the tasks shows room for (a thread 5% busy can keep many times
 * more in flight); later steps double — each costs a turnover of its own to measure, and a
 * step too far on work that queues costs the most — unless the last step showed nothing
 * queueing. On the calling thread the busy share is its own; on worker threads, theirs or
 * the calling thread's (which sends them every task), whichever is higher; where the
 * workers' is not known (the process's CPU time is not, or they started in the window),
 * every step doubles.
 */
import { type Because, type Measured, workersBusy } from './moves.js';
import { holding, type Step, stepRatios, unqueued } from './phases.js';
import { BUSY_TARGET, MAX_STEP, MIN_STEP } from './settings.js';

/** The busy share that bounds a climb from a level, and whether it is the worker threads'. */
export interface Busiest {
  readonly busyShare: number;
  readonly workers?: boolean;
}

/**
 * The busiest of the threads that ran the tasks in `m` (with `workers` worker threads):
 * on the calling thread, itself over the later half of the window — what it keeps up with
 * now, not while it was still warming up; on worker threads, they or the calling thread.
 * `undefined` where the workers' busy share is not known.
 */
export function busiest(m: Measured, workers: number): Busiest | undefined {
  if (m.route === 'loop') return { busyShare: m.recentBusyShare };
  const busy = workersBusy(m, workers);
  if (busy === undefined) return undefined;
  return busy >= m.recentBusyShare
    ? { busyShare: busy, workers: true }
    : { busyShare: m.recentBusyShare };
}

/** The first step of an exploration at `m`, by the headroom of the busiest thread; a doubling where it is not known. */
export function firstStepUp(m: Measured, most: number, workers: number): Step {
  const busy = busiest(m, workers);
  if (!busy) return stepUp(m, MIN_STEP, most, { kind: 'probe' });
  return stepUp(m, stepFor(busy.busyShare), most, { kind: 'room', ...busy });
}

/**
 * The step after `m`, a step up from `previous` that gained. A step that showed nothing
 * queueing lets the next go as far as the busiest thread's headroom shows, as the first did.
 */
export function nextStepUp(previous: Measured, m: Measured, most: number, workers: number): Step {
  const { ratio, gain } = stepRatios(previous, m);
  const busy = busiest(m, workers);
  const headroom = unqueued(previous, m) ? MAX_STEP : MIN_STEP;
  const step = busy ? stepFor(busy.busyShare, headroom) : MIN_STEP;
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
 * could take before the busy share a climb aims at, from {@link MIN_STEP} to `most`.
 */
export function stepFor(busy: number, most = MAX_STEP): number {
  return Math.min(most, Math.max(MIN_STEP, BUSY_TARGET / Math.max(busy, 1e-3)));
}

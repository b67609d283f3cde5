/**
 * Where the control law is in exploring the current route (see `law.ts`), what it
 * remembers there, and the one test every step up is judged by.
 */

import type { WindowSummary } from './measures.js';
import type { Because, Level, Measured } from './moves.js';
import { BUSY_TARGET, CLIMB_SHARE, SAME_THROUGHPUT, SATURATED } from './settings.js';

export type Phase =
  /** Nothing measured at this level yet in this exploration. */
  | { readonly kind: 'start' }
  | { readonly kind: 'climbing'; readonly previous: Measured }
  /** Stepping down; `floor` is the lowest level known to finish as many as the best. */
  | { readonly kind: 'descending'; readonly floor: Measured }
  | Holding
  | { readonly kind: 'probing'; readonly from: Measured }
  | Rechecking
  | Thinning
  | Verifying;

export interface Holding {
  readonly kind: 'holding';
  reference: Measured;
  windows: number;
  strays: number;
  /** Held because the calling thread is the bottleneck and threads would not help. */
  readonly saturated?: boolean;
  /**
   * The saturated window of a step up from here that did not pay, until a window here shows
   * the thread far less busy per task than there (see `watch.ts`).
   */
  stoppedBy?: Measured;
}

/** Just moved to threads: the first window warms the workers up, the next two are judged (see `trial.ts`). */
export interface Verifying {
  readonly kind: 'verifying';
  windows: number;
  first?: Measured;
}

/**
 * Back at the level of `first`, a window that saw mostly its quickest tasks finish, after
 * `stepUp`, a step up from it, seemed to bring no more: that level is measured again, and
 * the step judged against what it measures now.
 */
export interface Rechecking {
  readonly kind: 'rechecking';
  readonly first: Measured;
  readonly stepUp: Measured;
}

/** Fewer in flight than at `from`, where the calling thread was the bottleneck (threads would not help: `why`). */
export interface Thinning {
  readonly kind: 'thinning';
  readonly from: Measured;
  readonly why: string;
}

/** A move of the law within a route: the level, the phase there, and why. */
export interface Step {
  readonly to: Level;
  readonly phase: Phase;
  readonly because: Because;
}

export function holding(reference: Measured, saturated?: boolean, stoppedBy?: Measured): Holding {
  return {
    kind: 'holding',
    reference,
    windows: 0,
    strays: 0,
    ...(saturated ? { saturated } : {}),
    ...(stoppedBy ? { stoppedBy } : {}),
  };
}

/**
 * Whether `phase` holds its level while the calling thread stays saturated: held as the
 * bottleneck, or where a step up from the level did not pay there — not tried again at
 * once to fill the thread's idle gaps, as it would be window after window.
 */
export function heldWhileSaturated(phase: Phase): boolean {
  return phase.kind === 'holding' && (phase.saturated === true || phase.stoppedBy !== undefined);
}

/**
 * Whether `phase`, held as the bottleneck, is left for a fresh exploration by a window in
 * which the calling thread was busy `busy` of the time: once it is clearly not the
 * bottleneck, busy less than a climb aims at. Not merely below saturated, which a thread
 * near it crosses back and forth from one window to the next, each crossing a step up
 * tried again though it had just failed; in between, the hold is watched as any other.
 */
export function leftBottleneck(phase: Phase, busy: number): boolean {
  return phase.kind === 'holding' && phase.saturated === true && busy < BUSY_TARGET;
}

/** The level that the step up on trial in `phase` started from, if one is. */
export function steppedUpFrom(phase: Phase): Measured | undefined {
  if (phase.kind === 'climbing') return phase.previous;
  return phase.kind === 'probing' ? phase.from : undefined;
}

/** How many times `from`'s throughput `m` measured. */
export function gainOver(from: Measured, m: Measured): number {
  return m.throughput / Math.max(from.throughput, 1e-9);
}

/** How many times as long a task of `from` took in `m`. */
export function latencyOver(from: Measured, m: Measured): number {
  return m.latencyMs / Math.max(from.latencyMs, 1e-9);
}

/** How a step from `previous` to `m` changed the tasks in flight (`ratio`) and the throughput (`gain`). */
export function stepRatios(previous: Measured, m: Measured): { ratio: number; gain: number } {
  return { ratio: m.inFlight / Math.max(previous.inFlight, 1e-9), gain: gainOver(previous, m) };
}

/** The throughput rose by a clear share of what the added tasks would bring if nothing queued. */
export function gained(previous: Measured, m: Measured): boolean {
  const { ratio, gain } = stepRatios(previous, m);
  return gain >= 1 + CLIMB_SHARE * (Math.max(ratio, 1) - 1);
}

/**
 * The throughput rose (nearly) as much as the tasks in flight did: nothing queued — as in
 * TCP Vegas, the expected rate was the actual one.
 */
export function unqueued(previous: Measured, m: Measured): boolean {
  const { ratio, gain } = stepRatios(previous, m);
  return gain >= (1 - SAME_THROUGHPUT) * ratio;
}

/**
 * The throughput rose clearly more than the tasks in flight did: each task took less time
 * than at `previous`, which was slowed by something other than queueing — the process
 * starting up (compiling, loading modules), a pause — and is no baseline to project from.
 */
export function outran(previous: Measured, m: Measured): boolean {
  const { ratio, gain } = stepRatios(previous, m);
  return gain * (1 - SAME_THROUGHPUT) > ratio;
}

/**
 * Whether a window at level `at`, taken before a full turnover, already decides the step up
 * on trial in `phase`: the throughput rose less than a climb needs even as estimated kindly
 * (`kinder`), or rose as much as the tasks in flight did even as estimated strictly
 * (`stricter`), which a full turnover could only confirm. Not on a saturated thread, which
 * is judged otherwise.
 */
export function settlesStepUp(
  phase: Phase,
  at: Level,
  kinder: WindowSummary,
  stricter: WindowSummary,
): boolean {
  const from = steppedUpFrom(phase);
  if (!from || kinder.busyShare >= SATURATED) return false;
  return !gained(from, { ...kinder, ...at }) || unqueued(from, { ...stricter, ...at });
}

/**
 * A calling thread that is the bottleneck, with worker threads no help (they cannot take
 * the task, or would not finish clearly more): the number in flight can still matter.
 * While the thread is not fully busy, bursts of completions (timers fire on whole
 * milliseconds, replies arrive together) leave it idle between them, which more in flight
 * may fill; once it is, fewer in flight may cost less each (less memory held, less garbage
 * to collect) — unless fewer could not even cover the tasks' waits at the throughput it
 * has. Then the level holds, without probing.
 */
import type { Measured } from './moves.js';
import {
  gained,
  gainOver,
  holding,
  type Phase,
  type Step,
  steppedUpFrom,
  type Thinning,
} from './phases.js';
import { FILL_SHARE, FULLY_BUSY, MIN_STEP, SAME_THROUGHPUT, SATURATED } from './settings.js';

/**
 * The step from `m`, a window of a bottleneck thread, in `phase`; `steppedUpInVain` when
 * the step up that led to `m` did not pay (the next probe should wait longer). `latencyMs`:
 * how long a task takes without queueing on this thread.
 */
export function atBottleneck(
  m: Measured,
  phase: Phase,
  why: string,
  { maxLoop, latencyMs }: { readonly maxLoop: number; readonly latencyMs: number },
): Step & { readonly steppedUpInVain?: boolean } {
  const from = steppedUpFrom(phase);
  if (from && !filled(from, m)) {
    // From the better of the two levels (the fewer in flight when they finish about as
    // many), fewer.
    const better = m.throughput >= (1 + SAME_THROUGHPUT) * from.throughput;
    const step = better ? stay(m, why) : thin(from, why, latencyMs, m);
    return { ...step, steppedUpInVain: true };
  }
  if (m.busyShare < FULLY_BUSY && m.level < maxLoop) {
    return {
      to: { route: 'loop', level: Math.min(maxLoop, Math.round(m.level * MIN_STEP)) },
      phase: { kind: 'climbing', previous: m },
      because: { kind: 'fill', busyShare: m.busyShare, why },
    };
  }
  return thin(m, why, latencyMs);
}

/** After a step down from `phase.from`: on down while fewer finish clearly more. */
export function afterThinning({ from, why }: Thinning, m: Measured): Step {
  const gain = gainOver(from, m);
  if (gain < 1 + SAME_THROUGHPUT)
    return {
      to: from,
      phase: holding(from, true),
      because: { kind: 'thin-failed', gain, from, why },
    };
  const because = { kind: 'fewer-better', gain, from } as const;
  if (m.level <= 1) return { to: m, phase: holding(m), because };
  return {
    to: { route: 'loop', level: Math.floor(m.level / 2) },
    phase: { kind: 'thinning', from: m, why },
    because,
  };
}

/**
 * Fewer in flight than at `from`; or hold there, watched and probed as usual if it was not
 * the bottleneck there. Not when half could not finish clearly more than `from` did
 * however little each task then cost: by Little's law, n in flight that each take at least
 * `latencyMs` finish at most n ÷ `latencyMs` a second — replies of 50–150 ms finishing 2,000
 * a second need 200 in flight. Half as many, or at once as few as cover that floor
 * {@link MIN_STEP} times over, when that is fewer still: tasks that only compute need one
 * or two in flight whatever the level, and each step down is a window measured at a level
 * that holds too many (a thousand sync tasks returning 1 MB each ran 1.3× as long with 4
 * or more in flight as with 1, their results living long enough to be collected as old).
 * `stoppedBy`: the saturated window of the step up from `from` that did not pay, if that is
 * what led here.
 */
function thin(from: Measured, why: string, latencyMs: number, stoppedBy?: Measured): Step {
  if (from.level <= 1 || from.busyShare < SATURATED) return stay(from, why, stoppedBy);
  const half = Math.floor(from.level / 2);
  const needed = ((1 + SAME_THROUGHPUT) * from.throughput * latencyMs) / 1000;
  if (half < needed) return stay(from, why, stoppedBy);
  return {
    to: { route: 'loop', level: Math.min(half, Math.max(1, Math.ceil(MIN_STEP * needed))) },
    phase: { kind: 'thinning', from, why },
    because: { kind: 'thin', busyShare: from.busyShare, why },
  };
}

function stay(at: Measured, why: string, stoppedBy?: Measured): Step {
  return {
    to: at,
    phase: holding(at, at.busyShare >= SATURATED, stoppedBy),
    because: { kind: 'saturated-stay', why },
  };
}

/**
 * Whether a step up from `from` that ended on a bottleneck thread paid: as a climb, or by
 * winning a clear share of what it could win at most — the work `from` left undone in its
 * idle time.
 */
function filled(from: Measured, m: Measured): boolean {
  const idle = 1 / Math.max(from.busyShare, 1e-3) - 1;
  const gain = gainOver(from, m);
  return gained(from, m) || gain >= 1 + FILL_SHARE * idle;
}

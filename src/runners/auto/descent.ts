/**
 * Stepping down once a step up brought no more (the tasks queue behind something that
 * serves only so many at once — libuv's 4 threads, a server, a connection pool): from the
 * fewest in flight that finished (nearly) as many as the best, halving while fewer still
 * finish as many, and holding the last level that did.
 */
import type { Measured } from './moves.js';
import { gainOver, holding, latencyOver, type Step } from './phases.js';
import { PHASE_CHANGE, SAME_THROUGHPUT } from './settings.js';

/** The step past the knee: `m`, a step up from `previous`, brought no more; `tried` are this exploration's levels and `best` the best of them. */
export function pastKnee(
  tried: readonly Measured[],
  best: Measured,
  previous: Measured,
  m: Measured,
): Step {
  const floor = tried
    .filter((t) => t.route === m.route && !fewerThan(best, t))
    .reduce((a, b) => (b.level < a.level ? b : a));
  const because = {
    kind: 'knee',
    gain: gainOver(previous, m),
    latencyRatio: latencyOver(previous, m),
    from: previous,
  } as const;
  if (floor.level <= 1) return { to: floor, phase: holding(floor), because };
  return {
    to: { route: m.route, level: Math.max(1, Math.floor(floor.level / 2)) },
    phase: { kind: 'descending', floor },
    because,
  };
}

/**
 * `m`, a step down from `floor`, finished clearly fewer than the `best`, and its tasks took
 * clearly longer than at `floor` (by as much as a held level's throughput must move to
 * show a change of work): fewer in flight did not make them quicker, so they were not slow
 * there for queueing — the tasks themselves got slower (a server slowing through the job,
 * replies growing) between the windows, and the knee was the work changing. Where tasks
 * queue, fewer in flight shortens each one's wait; where `floor` was just the most a
 * resource serves at once, they take as long at either level.
 */
export function slowedAnyway(floor: Measured, best: Measured, m: Measured): boolean {
  return fewerThan(best, m) && m.latencyMs > (1 + PHASE_CHANGE) * floor.latencyMs;
}

/** The step after `m`, a step down from `floor`: on down while as many finish as the `best`. */
export function descend(floor: Measured, best: Measured, m: Measured): Step {
  if (fewerThan(best, m))
    return { to: floor, phase: holding(floor), because: { kind: 'fewer-worse', best } };
  const because = { kind: 'fewer-as-good', best } as const;
  if (m.level <= 1) return { to: m, phase: holding(m), because };
  return {
    to: { route: m.route, level: Math.max(1, Math.floor(m.level / 2)) },
    phase: { kind: 'descending', floor: m },
    because,
  };
}

/** `m` finished clearly fewer than `best`: more than throughputs that count as the same differ by. */
function fewerThan(best: Measured, m: Measured): boolean {
  return m.throughput < (1 - SAME_THROUGHPUT) * best.throughput;
}

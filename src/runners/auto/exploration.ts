/**
 * The levels measured in one exploration of a route (see `law.ts`), and the steps judged
 * against them once a step up brought no more: back to a level that saw only its quickest
 * tasks finish (`recheck`), past the knee (`descent.ts`), or on up when the level measured
 * again shows the step paid after all.
 */
import { nextStepUp } from './climb.js';
import { descend, pastKnee, slowedAnyway } from './descent.js';
import { type Because, type Measured, sawQuickest } from './moves.js';
import { gained, gainOver, latencyOver, type Rechecking, type Step } from './phases.js';
import { CONTENDED } from './settings.js';

export class Exploration {
  /** Levels measured in this exploration. */
  #tried: Measured[] = [];
  /** The highest throughput of this exploration. */
  #best: Measured | undefined;
  /** The level whose step up was last measured again for want of a CPU (see {@link heldOffCpu}). */
  #remeasuredFrom: Measured | undefined;

  /**
   * `m` was measured on trial. (A held level is watched, not explored: its windows are not
   * kept, as a long run holds one level for thousands of windows.)
   */
  record(m: Measured): void {
    this.#tried.push(m);
    if (!this.#best || m.throughput > this.#best.throughput) this.#best = m;
  }

  /** A new exploration from `m`, as the work now is: what was measured before no longer counts. */
  restart(m: Measured): void {
    this.#tried = [m];
    this.#best = m;
  }

  /** The route changed: nothing measured on it yet. */
  clear(): void {
    this.#tried = [];
    this.#best = undefined;
  }

  /**
   * Whether `m`, a step up from `previous` on the calling thread that brought no more, is
   * measured again before it is judged: there the thread waited for a CPU clearly more of
   * the time it could have run than at `previous` (by {@link CONTENDED} of it or more). Its
   * tasks then took longer for want of a CPU, as they would queueing behind a bounded
   * resource, and the throughput says how much CPU the thread got, not what more in flight
   * brings: in a program's first few hundred ms V8 compiles and collects on the process's
   * other threads (1.5 of 2 CPUs for tens of ms), and a knee read then held 5 ms waits at
   * 128 while the thread sat 80% idle. Once per step: a machine that stays that busy is
   * judged as it is.
   */
  heldOffCpu(previous: Measured, m: Measured): boolean {
    if (m.route !== 'loop' || this.#remeasuredFrom === previous) return false;
    if (m.contention < previous.contention + CONTENDED) return false;
    this.#remeasuredFrom = previous;
    return true;
  }

  /**
   * `m`, a step up from `previous`, brought no more. A window that saw only the quick tasks
   * (see `sawQuickest`) shows no knee: its level is measured again. Else the step was past
   * a knee.
   */
  noGain(previous: Measured, m: Measured): Step {
    if (!sawQuickest(previous)) return pastKnee(this.#tried, this.#best!, previous, m);
    const because: Because = { kind: 'recheck', gain: gainOver(previous, m), from: previous };
    return {
      to: { route: previous.route, level: previous.level },
      phase: { kind: 'rechecking', first: previous, stepUp: m },
      because,
    };
  }

  /**
   * `m`, the level of `first` measured again: the step up from it is judged against `m`.
   * Where it gained, `first` measured a passing stretch, and no longer counts; else the
   * step was past a knee. `most`: the highest level on the route.
   */
  afterRecheck({ first, stepUp }: Rechecking, m: Measured, most: number, workers: number): Step {
    const paid = gained(m, stepUp);
    const because: Because = {
      kind: 'rechecked',
      first,
      stepUp,
      paid,
      gain: gainOver(m, stepUp),
      latencyRatio: latencyOver(m, stepUp),
    };
    if (!paid) return { ...pastKnee(this.#tried, this.#best!, m, stepUp), because };
    this.#tried = this.#tried.filter((t) => t !== first);
    this.#best = this.#tried.reduce((a, b) => (b.throughput > a.throughput ? b : a));
    return { ...nextStepUp(m, stepUp, most, workers), because };
  }

  /**
   * `m`, a step down from `floor`: the next step down, or `undefined` where the tasks
   * slowed anyway — the knee was the tasks slowing, not queueing, and a slower task needs
   * more in flight.
   */
  stepDown(floor: Measured, m: Measured): Step | undefined {
    if (slowedAnyway(floor, this.#best!, m)) return undefined;
    return descend(floor, this.#best!, m);
  }
}

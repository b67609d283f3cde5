/**
 * The watch over a held level (see `law.ts`): a throughput that strays far from the one
 * the level was kept for, window after window, means the work changed and the exploration
 * starts again; so do worker threads that were kept busy and now sit idle (the tasks wait
 * now, and the throughput need not fall far: one task per worker that computed 3 ms and
 * now waits 10 ms finishes 40% fewer). A throughput that stays near the one kept is
 * probed now and then with a step up, to follow slow changes. Both back off when they
 * prove wrong: a step up that did not pay makes the next probe wait twice as long, and a
 * change on which the threads gave the work to a calling thread that proved saturated at
 * once (noise, then) makes the next change need twice as many windows in a row.
 */
import { type Measured, workersBusy } from './moves.js';
import { gainOver, type Holding } from './phases.js';
import {
  BUSY_TARGET,
  HOLD_WINDOWS,
  MAX_HOLD_WINDOWS,
  PHASE_CHANGE,
  SATURATED,
  WARMING_UP,
} from './settings.js';

/**
 * What a window of a held level calls for: the work changed (its throughput `rose`, or it
 * `fell` or the workers went idle), or a `probe`.
 */
export type Sighting = 'rose' | 'fell' | 'probe';

export class Watch {
  /** Windows a held level is kept before a probe. */
  #holdWindows = HOLD_WINDOWS;
  /**
   * Windows in a row a held level's throughput must stray before `auto` explores again;
   * doubled each time the threads gave the work to the calling thread on such a change
   * and the calling thread proved saturated at once (the change was noise).
   */
  #straysToExplore = 2;
  /** The calling thread is trying the work because the threads' throughput fell. */
  #loopOnTrial = false;

  /** What window `m` at the level kept in `held` calls for (on `workers` worker threads); `undefined`: nothing yet. */
  see(held: Holding, m: Measured, workers: number): Sighting | undefined {
    if (warmedUpSince(held, m)) return 'probe';
    const change = gainOver(held.reference, m);
    const idled = workersIdled(held.reference, m, workers);
    if (idled || Math.abs(change - 1) > PHASE_CHANGE) {
      if (++held.strays < this.#straysToExplore) return undefined;
      return idled || change < 1 ? 'fell' : 'rose';
    }
    held.strays = 0;
    return ++held.windows < this.#holdWindows ? undefined : 'probe';
  }

  /** A step up gained: held levels are probed as often as at first. */
  stepUpPaid(): void {
    this.#holdWindows = HOLD_WINDOWS;
  }

  /**
   * A probe, or a step up on a bottleneck thread, did not pay: the next probe waits twice
   * as long (up to {@link MAX_HOLD_WINDOWS} windows).
   */
  stepUpInVain(): void {
    this.#holdWindows = Math.min(MAX_HOLD_WINDOWS, this.#holdWindows * 2);
  }

  /** The threads' throughput fell, and the work moved to the calling thread to try it. */
  movedToLoop(): void {
    this.#loopOnTrial = true;
  }

  /** A window on the calling thread that was not saturated: a change that moved the work there was real. */
  loopKept(): void {
    this.#loopOnTrial = false;
  }

  /** The calling thread proved saturated and hands the work to the threads. */
  loopHandedOver(): void {
    if (this.#loopOnTrial) this.#straysToExplore *= 2;
    this.#loopOnTrial = false;
  }
}

/**
 * Whether the step up that stopped at the held level met a calling thread that was still
 * warming up (its JIT compiling switchyard's paths and the task's, several times a warm
 * task's CPU in the first few hundred ms): `m`, a window here, shows far less CPU per task
 * than that step's saturated window did. The step is worth trying again at once, not after
 * the usual hold; once.
 */
function warmedUpSince(held: Holding, m: Measured): boolean {
  const stoppedBy = held.stoppedBy;
  if (!stoppedBy || m.busyShare >= SATURATED) return false;
  if (m.cpuPerTaskMs * WARMING_UP > stoppedBy.cpuPerTaskMs) return false;
  held.stoppedBy = undefined;
  return true;
}

/**
 * Worker threads kept busy at the held level (`reference`) are busy a quarter as much or
 * less in `m`. Not half: workers that hold large buffers through their waits swing 2×
 * from one window to the next as garbage collection comes and goes.
 */
function workersIdled(reference: Measured, m: Measured, workers: number): boolean {
  const before = workersBusy(reference, workers);
  const now = workersBusy(m, workers);
  return before !== undefined && now !== undefined && before >= BUSY_TARGET && now <= before / 4;
}

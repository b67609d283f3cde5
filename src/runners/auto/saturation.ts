/**
 * A run of saturated windows on the calling thread (see `law.ts`): whether it is evidence
 * enough to move the work to worker threads, what a task takes there without queueing,
 * and what the process's other threads and the machine's other work cost per task.
 */

import type { WindowSummary } from './measures.js';
import { littleMs, type Measured, sawQuickest, waitsLittle } from './moves.js';
import {
  COMPUTES_IN_CALL,
  SATURATED_FOR_MS,
  WARMING_STRETCH_CPU_MS,
  WARMING_UP,
  WORK_CHANGED,
} from './settings.js';

/** Consecutive saturated windows, summed: a whole run's, or a stretch of it (see `Saturation`). */
class Stretch {
  windows = 0;
  cpuMs = 0;
  tasks = 0;
  /** ms the windows span together. */
  spanMs = 0;
  /** The fastest task of the windows. */
  fastestMs = Number.POSITIVE_INFINITY;
  /** The least CPU per task the process's other threads used in a window (ms). */
  leastOthers = Number.POSITIVE_INFINITY;
  /** The least contention of a window. */
  leastContention = Number.POSITIVE_INFINITY;
  /** The window of the highest throughput. */
  best: Measured | undefined;

  add(m: Measured): void {
    this.windows++;
    this.cpuMs += m.cpuPerTaskMs * m.completions;
    this.tasks += m.completions;
    this.spanMs += m.spanMs;
    this.fastestMs = Math.min(this.fastestMs, m.fastestMs);
    this.leastOthers = Math.min(this.leastOthers, othersPerTaskMs(m));
    this.leastContention = Math.min(this.leastContention, m.contention);
    if (!this.best || m.throughput > this.best.throughput) this.best = m;
  }
}

/** Saturated windows a first run needs (see `Saturation`). */
const FIRST_RUN_WINDOWS = 2;

/**
 * The tasks measured in `m` each computed for {@link SATURATED_FOR_MS} or more in their
 * synchronous call: CPU work beyond doubt, whatever a first window's start-up costs. Each,
 * not on average: even the fastest took that long. One long call among quick tasks — the
 * first call building a cache, loading a model, opening a client — is a start-up cost
 * too, and the window after it shows what the tasks do.
 */
function computesLong(m: WindowSummary): boolean {
  return (
    m.cpuPerTaskMs >= SATURATED_FOR_MS &&
    m.fastestMs >= SATURATED_FOR_MS &&
    m.callShare >= COMPUTES_IN_CALL
  );
}

/**
 * ms a task of `m`, a window that did not queue its tasks, takes from start to end: the
 * mean of the tasks it saw finish, unless those were mostly the quickest (see
 * {@link sawQuickest}: a first window of 64 replies of 20–200 ms closes on its first 32, a
 * mean of about 50 ms). Then the tasks in flight ÷ the throughput (Little's law) tells more
 * — on the high side, as the window also waited for its first ones, which leaves workers
 * more than they need rather than idle.
 */
function meanTaskMs(m: Measured): number {
  return sawQuickest(m) ? littleMs(m) : m.latencyMs;
}

/** A run of saturated windows on the calling thread, and whether it is evidence enough. */
export class Saturation {
  /** The run's windows (since it last started again, see {@link add}). */
  #run = new Stretch();
  /** The windows since the last comparison of CPU per task (see {@link WARMING_STRETCH_CPU_MS}). */
  #stretch = new Stretch();
  /** CPU per task of the stretch before. */
  #lastCpu = 0;
  /**
   * Windows the run needs: two at first (the first window also pays for starting up —
   * compiling, first allocations — which can make a waiting task look busy), one after a
   * handover that paid, four times as many after each one that did not.
   */
  #needed = FIRST_RUN_WINDOWS;
  /** The window on the calling thread just before the run, if it was not saturated. */
  #before: Measured | undefined;

  /** The highest throughput of the run: what the workers must beat. */
  get best(): Measured | undefined {
    return this.#run.best;
  }

  /**
   * ms of CPU the process's other threads spend per task however the work runs (libuv's
   * pool hashing what the tasks hand it, say), as the least of the run's windows shows: a
   * collection of garbage busies them in some windows only.
   */
  get othersPerTaskMs(): number {
    const { leastOthers } = this.#run;
    return Number.isFinite(leastOthers) ? leastOthers : 0;
  }

  /**
   * How much other work keeps the machine's CPUs from this thread, as the least of the
   * run's windows shows: other programs that would slow the workers keep on, while the
   * workers' own start (begun as soon as a move looks likely) contends for some windows
   * only — and must not stop the move it was begun for.
   */
  get contention(): number {
    const { leastContention } = this.#run;
    return Number.isFinite(leastContention) ? leastContention : 0;
  }

  /**
   * `m` with the fastest task of the whole run: what a task takes without queueing on this
   * thread, which any one window of a saturated thread may overstate (every task in it
   * waited behind others' calls).
   */
  fastestOf(m: Measured): Measured {
    const { fastestMs } = this.#run;
    return Number.isFinite(fastestMs) ? { ...m, fastestMs } : m;
  }

  /**
   * ms a task of `run` (see {@link fastestOf}) takes without queueing on this thread, for
   * how many a worker must hold to stay busy: the fastest one's, or the mean of the window
   * just before the run where the thread was not saturated then and so queued them little
   * (see {@link meanTaskMs}). Where waits vary (replies of 20–200 ms), the fastest is a
   * fraction of what a worker must cover.
   *
   * A run saturated from its first window has no such window: a task's own time lies
   * between the fastest one's and the run's mean, which waiting behind the other tasks'
   * CPU inflates (64 in flight on a saturated thread wait for 63 others each). With
   * nothing to tell where, the middle of the two in ratio, as a search between them would
   * try first: where half the tasks compute 2 ms and half wait 20 ms, the fastest (2 ms)
   * would give each worker 2 tasks where it needs about 11. Unless even the fastest took
   * little more than the CPU a task takes on average: then nothing says the tasks wait,
   * and queueing alone made the mean long (a first window's CPU per task also counts the
   * start-up outside the calls, so tasks that only compute need not show it in `callShare`).
   */
  ownLatencyMs(run: Measured): number {
    const before = this.#before && meanTaskMs(this.#before);
    if (before !== undefined) return Math.max(run.fastestMs, before);
    if (waitsLittle(run)) return run.fastestMs;
    return Math.sqrt(run.fastestMs * Math.max(run.fastestMs, run.latencyMs));
  }

  /**
   * Enough windows, over at least {@link SATURATED_FOR_MS}: a thread still warming up (its
   * JIT compiling the task, the libraries it calls and switchyard's own paths) can be
   * busy all the time at twice the CPU per task it will settle at, and would make a
   * worse baseline for the threads to beat. Waiting costs nothing: the workers are
   * started at the first saturated window (or the first long call), and take longer than
   * this to be ready.
   */
  get convincing(): boolean {
    return this.#run.windows >= this.#needed && this.#run.spanMs >= SATURATED_FOR_MS;
  }

  /**
   * One more saturated window. CPU per task still falling fast from one stretch of
   * windows to the next means the thread is still warming up (its JIT compiling the task
   * and the libraries it calls): the run starts again from the later stretch — what the
   * process's other threads did too, since a thread warming up feeds them little (libuv's
   * pool hashes only as fast as the calling thread hands it buffers). A window whose CPU
   * per task is far above the run's shows that the work changed: the run starts again
   * from it.
   */
  add(m: Measured): void {
    const { cpuMs, tasks } = this.#run;
    if (tasks > 0 && m.cpuPerTaskMs > (WORK_CHANGED * cpuMs) / tasks) this.#startAgain();
    const stretch = this.#stretch;
    stretch.add(m);
    this.#run.add(m);
    if (stretch.cpuMs >= WARMING_STRETCH_CPU_MS) {
      const cpuPerTask = stretch.cpuMs / stretch.tasks;
      if (this.#lastCpu > WARMING_UP * cpuPerTask) this.#run = stretch;
      this.#lastCpu = cpuPerTask;
      this.#stretch = new Stretch();
    }
    const run = this.#run;
    // Tasks that each compute for that long in their call leave start-up costs no weight
    // (and a second window of them would cost as long again): one window does. So does a
    // first window whose CPU per task fell less than warming up makes it fall since the
    // unsaturated window just before it: the thread is warm, and the level made it the
    // bottleneck.
    const before = this.#before?.cpuPerTaskMs ?? 0;
    const warm = run.windows === 1 && before > 0 && before <= WARMING_UP * m.cpuPerTaskMs;
    if (computesLong(m) || warm) run.windows = Math.max(run.windows, FIRST_RUN_WINDOWS);
  }

  /** A window that was not saturated (`unsaturated`, on the calling thread), or a move elsewhere, ends the run. */
  end(unsaturated?: Measured): void {
    this.#before = unsaturated;
    this.#startAgain();
  }

  #startAgain(): void {
    this.#run = new Stretch();
    this.#stretch = new Stretch();
    this.#lastCpu = 0;
  }

  /**
   * Whether the work may move on a projection of this thread's saturation (see
   * `projection.ts`) rather than on saturated windows: not once a handover failed, after
   * which only longer evidence moves it.
   */
  get mayProject(): boolean {
    return this.#needed <= FIRST_RUN_WINDOWS;
  }

  handoverPaid(): void {
    this.#needed = 1;
  }

  handoverFailed(): void {
    this.#needed *= 4;
  }
}

/**
 * ms of CPU the process's other threads spent per task finished in `m` (libuv's pool
 * reading or hashing for the tasks, V8's helpers collecting their garbage): work that
 * grows with the throughput, wherever the tasks run. Nothing where it could not be told
 * from the workers' own start (see {@link WindowSummary.othersUnknown}).
 */
export function othersPerTaskMs(m: WindowSummary): number {
  if (m.othersUnknown) return Number.POSITIVE_INFINITY;
  return (m.othersBusy * 1000) / Math.max(m.throughput, 1e-3);
}

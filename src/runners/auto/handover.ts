/**
 * Handing the work from a saturated calling thread to worker threads: when the evidence
 * is enough, how much faster the workers should finish the tasks, how many tasks each
 * should hold.
 */
import { inputsPerChunk } from '../../core/chunks.js';
import {
  computeOnly,
  type LawContext,
  littleMs,
  type Measured,
  sawQuickest,
  waitsLittle,
} from './moves.js';
import {
  CHUNK_DISPATCH_MS,
  COMPUTES_IN_CALL,
  SATURATED_FOR_MS,
  TASK_DISPATCH_MS,
  TINY_TASK_MS,
  WARMING_STRETCH_CPU_MS,
  WARMING_UP,
  WORK_CHANGED,
} from './settings.js';
import type { WindowSummary } from './window.js';

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
export function computesLong(m: WindowSummary): boolean {
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
 * What the law remembers of a move of the work off the calling thread: the run of saturated
 * windows that may call for one, the calling thread's throughput the workers must then beat,
 * and what the move showed of the tasks — until the work changes.
 */
export class Handover {
  readonly saturation = new Saturation();
  /** The calling thread's throughput the workers must beat: its window (or projection) before the move. */
  baseline: Measured | undefined;
  /**
   * The work went to threads as tasks that compute in their call: one per worker keeps a
   * worker busy, so more per worker is not tried (until the work changes).
   */
  oneTaskPerWorker = false;
  /**
   * The calling thread was found saturated by this work (since it last changed): many
   * tasks per worker then mean mixed work, not work that the calling thread could keep
   * in flight alone.
   */
  loopSaturated = false;

  /**
   * The work moves to worker threads, which must beat `baseline`; `run` shows what a task
   * computes and waits, `latencyMs` how long one takes without queueing on the calling
   * thread. Returns the tasks per worker to start at, at most `most`.
   */
  begin(run: Measured, baseline: Measured, latencyMs: number, most: number): number {
    this.baseline = baseline;
    this.loopSaturated = true;
    this.oneTaskPerWorker = computeOnly(run);
    return tasksPerWorkerFor(run, most, latencyMs);
  }

  /**
   * The calling thread went on with the tasks while the workers started, spending
   * `cpuPerTaskMs` of its CPU on each. Clearly less than at the baseline (by
   * {@link WARMING_UP}) means it was still warming up when it set the baseline — its JIT
   * compiling, the libraries' first calls allocating — and the workers must beat what it
   * does now: as many more tasks a second as it spends less CPU on each.
   */
  ranMeanwhile(cpuPerTaskMs: number): void {
    const baseline = this.baseline;
    if (!baseline || baseline.cpuPerTaskMs <= WARMING_UP * cpuPerTaskMs) return;
    // The CPU saved is time the thread is no longer held for; a task's time blocked in its
    // call (see `heldPerTaskMs`) is not shortened by warming up.
    const heldPerTaskMs = baseline.heldPerTaskMs - baseline.cpuPerTaskMs + cpuPerTaskMs;
    const throughput = (baseline.throughput * baseline.heldPerTaskMs) / heldPerTaskMs;
    this.baseline = { ...baseline, throughput, cpuPerTaskMs, heldPerTaskMs };
  }

  /** Tasks that started alone on the workers left them idle: they wait there, and share the workers from now on. */
  tasksWait(): void {
    this.oneTaskPerWorker = false;
  }

  /** The work changed: what the last move showed of its tasks no longer holds. */
  workChanged(): void {
    this.loopSaturated = false;
    this.oneTaskPerWorker = false;
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

/**
 * How many times as many tasks the worker threads should finish as the calling thread
 * does in `m`: each worker is held as long per task as the calling thread is (its CPU, and
 * its time blocked in the call: see {@link WindowSummary.heldPerTaskMs}), but the calling
 * thread still sends each one (so it can go no faster than one per dispatch), and the
 * workers hold at most so many in flight, each for about as long as a task takes here.
 * What more threads could add shrinks with the time this thread waits for a CPU
 * (`contention`): a machine kept busy by other work has none to spare for them; and each
 * task also needs the CPU the process's other threads spend on it (`othersPerTaskMs`:
 * libuv's pool hashing what a task hands it), from the same CPUs as the workers, so twice
 * as many tasks need twice as much of it. Nor can the workers run more at once than the
 * caller offers (see {@link offeredInputs}): one who awaits each result before submitting
 * the next gets one worker's speed, and a message each way.
 */
export function threadsGain(
  m: Measured,
  context: LawContext,
  run: { readonly othersPerTaskMs: number; readonly contention: number },
): number {
  const { gain } = gainBound(m, context, run.othersPerTaskMs);
  return 1 + (gain - 1) * (1 - run.contention);
}

/** What bounds the workers' gain most (see {@link threadsGain}), and the costs per task behind it. */
export interface GainBound {
  /** The gain it allows. */
  readonly gain: number;
  /**
   * `computing`: each worker computes a task's CPU, with what sending it and the process's
   * other threads cost per task; `sending`: the calling thread sends every task, one per
   * dispatch at most; `holding`: the workers hold at most so many in flight, each for
   * about as long as a task takes here; `offered`: they run no more at once than the
   * caller offers.
   */
  readonly by: 'computing' | 'sending' | 'holding' | 'offered';
  /** ms of this thread's time to send a task. */
  readonly dispatchMs: number;
  /** ms of the process's other threads' CPU per task. */
  readonly othersMs: number;
}

export function gainBound(m: Measured, context: LawContext, othersPerTaskMs: number): GainBound {
  const { workers, dispatchMs, maxPerWorker } = context;
  // What a worker would be held per task: its CPU, and its time blocked in the call.
  const held = m.heldPerTaskMs;
  const dispatch = dispatchMs(m);
  const others = Number.isFinite(othersPerTaskMs) ? othersPerTaskMs : 0;
  const bounds = {
    computing: (workers * held) / (held + dispatch + others),
    sending: held / dispatch,
    // A task's own latency, without queueing on this thread: the fastest one of the window.
    holding: (workers * maxPerWorker * 1000) / Math.max(m.fastestMs, 1e-3) / m.throughput,
    offered: (offeredInputs(m, context) * held) / (held + dispatch),
  };
  let by: GainBound['by'] = 'computing';
  for (const key of ['sending', 'holding', 'offered'] as const)
    if (bounds[key] < bounds[by]) by = key;
  return { gain: bounds[by], by, dispatchMs: dispatch, othersMs: others };
}

/**
 * Inputs the caller offers at once in `m`: those in flight and those waiting for room
 * (at least one); unbounded where the waiting ones are not known.
 */
export function offeredInputs(m: WindowSummary, context: LawContext): number {
  const waiting = context.waiting?.();
  if (waiting === undefined) return Number.POSITIVE_INFINITY;
  return Math.max(1, m.inFlight * m.inputsPerRun + waiting);
}

/**
 * ms of the calling thread's time to send one of the tasks measured in `m` to a worker,
 * besides copying its input: a message's cost ({@link TASK_DISPATCH_MS}) shared by the
 * inputs of a chunk, as many as the workers would put in one (see `core/chunks.ts`) for
 * tasks as quick as the fastest here — a `map`'s (`inChunks`) tasks that take 2 ms or more
 * from start to end, waits included, go one to a message all the same.
 */
export function sendMs(m: WindowSummary, inChunks: boolean): number {
  if (!inChunks) return TASK_DISPATCH_MS;
  const perChunk = inputsPerChunk(m.fastestMs / Math.max(m.inputsPerRun, 1));
  return CHUNK_DISPATCH_MS + (TASK_DISPATCH_MS - CHUNK_DISPATCH_MS) / perChunk;
}

/**
 * Whether the tasks measured in `m` are started in chunks on the calling thread: tiny
 * ones that also finish within that time from start to end, so wait on nothing — a chunk
 * of tasks that wait (on a file read, say) would put its whole length in flight at once.
 */
export function chunksOnThread(m: WindowSummary): boolean {
  const fastestPerInput = m.fastestMs / Math.max(m.inputsPerRun, 1);
  return m.cpuPerTaskMs < TINY_TASK_MS && fastestPerInput < TINY_TASK_MS;
}

/**
 * Tasks per worker to start at: one for tasks that only compute, which keep a worker busy
 * alone; others need enough to cover their waits — a task's time here without queueing
 * (`latencyMs`: at least the fastest one's) ÷ the time it holds a thread.
 */
export function tasksPerWorkerFor(m: Measured, most: number, latencyMs: number): number {
  if (computeOnly(m)) return 1;
  const perWorker = Math.round(latencyMs / Math.max(m.heldPerTaskMs, 1e-3));
  return Math.min(most, Math.max(1, perWorker));
}

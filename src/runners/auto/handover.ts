/**
 * Handing the work from a saturated calling thread to worker threads: how much faster the
 * workers should finish the tasks, how many tasks each should hold, and what the move
 * showed of them (when the evidence is enough: `saturation.ts`).
 */
import { inputsPerChunk } from '../../core/chunks.js';
import type { WindowSummary } from './measures.js';
import { computeOnly, fastestPerInputMs, type LawContext, type Measured } from './moves.js';
import { Saturation } from './saturation.js';
import { CHUNK_DISPATCH_MS, TASK_DISPATCH_MS, TINY_TASK_MS, WARMING_UP } from './settings.js';

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
    // A task's own latency, without queueing on this thread: the fastest one of the window
    // (per input: a chunk's inputs run one after another, on a worker as here).
    holding: (workers * maxPerWorker * 1000) / Math.max(fastestPerInputMs(m), 1e-3) / m.throughput,
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
  const perChunk = inputsPerChunk(fastestPerInputMs(m));
  return CHUNK_DISPATCH_MS + (TASK_DISPATCH_MS - CHUNK_DISPATCH_MS) / perChunk;
}

/**
 * Whether the tasks measured in `m` are started in chunks on the calling thread: tiny
 * ones that also finish within that time from start to end, so wait on nothing — a chunk
 * of tasks that wait (on a file read, say) would put its whole length in flight at once.
 */
export function chunksOnThread(m: WindowSummary): boolean {
  return m.cpuPerTaskMs < TINY_TASK_MS && fastestPerInputMs(m) < TINY_TASK_MS;
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

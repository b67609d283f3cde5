import type { TransferListItem } from 'node:worker_threads';
/**
 * The seam between the executor front (submit, map, close, counting — one implementation
 * for every mode) and what actually runs tasks: the calling thread, a pool of workers, a
 * cluster. A mode is a {@link Runner}; everything users touch is shared.
 */
import type { TaskLike } from './task.js';
import type { Decision, Mode, PoolDetails } from './types.js';

/**
 * Told how the inputs of a task (one) or a chunk (several) ended — how many completed and
 * how many failed — at the very moment the runner stops counting them in
 * {@link RunnerLoad.running} or {@link RunnerLoad.queued}, in the same synchronous step and
 * before its promise settles: `stats()` then counts each accepted task in exactly one place
 * at every moment anyone can look. Called exactly once for every task or chunk the runner
 * accepts (a cancelled or unsendable one too), never for one refused with `QueueFullError`.
 */
export type Ended = (completed: number, failed: number) => void;

/** One task, as the executor front hands it to a runner. */
export interface TaskRun {
  readonly input: unknown;
  /**
   * Aborted from above (caller's signal, map stopped, close with cancel). A runner may
   * abort it too, with a `TimeoutError`, when the task outlives `timeout` (the pools cancel
   * the job directly instead) — and for no other reason: a task without a timeout or a
   * signal of its own shares it with others.
   */
  readonly controller: AbortController;
  /** ms from the moment the task starts running; `undefined` for none. */
  readonly timeout: number | undefined;
  readonly priority: number;
  readonly transfer: readonly TransferListItem[] | undefined;
  /** Already throttled and safe to call from anywhere. */
  readonly progress: (value: unknown) => void;
  /**
   * A `submit`: past `maxQueue` the runner rejects it at once with `QueueFullError` and
   * keeps nothing, rather than queueing it. A `map`'s tasks are not refused (its window
   * bounds them), though they count towards `maxQueue` while they wait.
   */
  readonly refusable?: boolean;
  /**
   * A `submit`'s task, not one of a map's inputs: more may be offered at any time. Set
   * also where it is not {@link refusable} (accepted while its module loaded, then handed
   * over), so `auto` never takes the work offered so far for all there is.
   */
  readonly submitted?: boolean;
  readonly ended: Ended;
}

/** Several inputs of one `map`, dispatched as one unit (one message, one job). */
export interface ChunkRun {
  readonly inputs: readonly unknown[];
  /** As for {@link TaskRun}; aborting it stops the whole chunk. */
  readonly controller: AbortController;
  /** ms each input may run; the chunk as a whole gets this times its length. */
  readonly timeout: number | undefined;
  /** Already throttled; `offset` is the input's place in the chunk. */
  readonly progress: (value: unknown, offset: number) => void;
  /** Told once, for all the chunk's inputs together. */
  readonly ended: Ended;
}

/**
 * What a chunk gave back: `values[offset]` for inputs that succeeded, and the inputs that
 * failed on their own (threw, output unsendable). A chunk that fails as a whole (worker
 * crash, timeout, cancellation) rejects instead, and every input in it fails with that error.
 */
export interface ChunkOutcome {
  readonly values: readonly unknown[];
  readonly failures?: ReadonlyMap<number, Error> | undefined;
}

/** A limit below {@link Runner.mapWindow} on what a `map` reads ahead, for a while. */
export interface ReadAhead {
  /**
   * Most inputs read and not yet settled now (the window still bounds those not yet
   * yielded); asked before reading.
   */
  readonly limit: () => number;
  /** Settles when the limit is lifted; the map reads on then, whether or not an input settles. */
  readonly lifted: PromiseLike<unknown>;
  /**
   * Where the limit can rise while no input settles (a level raised on a timer), calls
   * `rose` each time it does, until the returned function is called: the map reads on then.
   */
  readonly onRise?: (rose: () => void) => () => void;
}

/** Live numbers a runner knows and the front does not. */
export interface RunnerLoad {
  readonly workers: number;
  /**
   * Inputs started and not yet ended (see {@link Ended}); every input of a chunk a worker
   * has taken counts, until the chunk's answer.
   */
  readonly running: number;
  /** Inputs accepted, not started and not yet ended. */
  readonly queued: number;
  readonly retried: number;
  readonly utilization: number;
  /** Pools: per-worker task counts and timing percentiles. */
  readonly pool?: PoolDetails | undefined;
}

export interface Runner<Prepared = unknown> {
  readonly mode: Mode;
  /** Most tasks in flight at once. */
  readonly concurrency: number;
  /** `auto` only: what it decided, once it has. */
  readonly decision?: Decision | undefined;
  /** How many inputs `map` reads ahead of the ones running. */
  readonly mapWindow: number;
  /**
   * Optional: a lower limit on what a `map` of `task` reads ahead, asked before each read
   * and possibly lifted later (`auto` reads ahead twice what its current level keeps in
   * flight).
   */
  readAhead?(task: Prepared): ReadAhead;
  /**
   * Optional: a `map` of `task` begins reading its inputs; `unread()` tells how many it has
   * yet to read where that is known (an array's), and the function returned is called once
   * it will read no more (its source ended, or the map stopped). `auto` then knows the work
   * left, and whether it would be done before worker threads could start and take it over.
   */
  mapReading?(task: Prepared, unread: () => number | undefined): () => void;
  /**
   * Checks and loads a task before any input runs: throws `TaskNotFoundError` for a missing
   * module or export, `TypeError` for a task this mode cannot run (a plain function in a pool or under `auto`).
   */
  prepare(task: TaskLike<never, unknown>): Promise<Prepared>;
  /**
   * Optional: what {@link Runner.prepare} gave for this very task reference, if it has
   * already succeeded, or `undefined`. Spares each `submit` of a known task a promise.
   */
  prepared?(task: TaskLike<never, unknown>): Prepared | undefined;
  /** Runs one task; settles with its output or a switchyard error. Never throws synchronously. */
  run(task: Prepared, run: TaskRun): Promise<unknown>;
  /**
   * Optional chunk seam: runs several inputs of a `map` as one unit of dispatch, so small
   * tasks do not each pay a message (pools) or a queue job (distributed). When present,
   * `map` batches inputs into chunks of {@link Runner.chunkSize}; never throws synchronously.
   */
  runChunk?(task: Prepared, chunk: ChunkRun): Promise<ChunkOutcome>;
  /**
   * Inputs per chunk when `map` is not given `chunkSize`; asked before each chunk, so it
   * may adapt to measured task times. Only used with {@link Runner.runChunk}.
   */
  chunkSize?(task: Prepared, timeout: number | undefined): number;
  load(): RunnerLoad;
  /**
   * Optional: ms of CPU its worker threads have used so far, those that ended included (so
   * it never falls, after `close` too), where the system says (Linux), else `undefined`;
   * only differences mean anything. `auto` tells with it the workers' own start from other
   * threads of the process keeping the CPUs busy.
   */
  cpuMs?(): number | undefined;
  /**
   * Optional: resolves when a `submit` now would not pass `maxQueue` (at once when it would
   * not, or when the runner has no `maxQueue`).
   */
  ready?(): Promise<void>;
  /** Releases every resource; called once, after all accepted work has settled. */
  close(): Promise<void>;
}

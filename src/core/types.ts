import type { TransferListItem } from 'node:worker_threads';
import type { InputOf, OutputOf, TaskLike } from './task.js';

/** Every concurrency model switchyard knows. */
export const MODES = ['sync', 'loop', 'threads', 'processes', 'distributed', 'auto'] as const;
export type Mode = (typeof MODES)[number];

/** Options of {@link Executor.submit}. */
export interface SubmitOptions {
  /** Cancels the task: a waiting task is dropped, a running one gets its `ctx.signal` fired; rejects with `CancelledError`. */
  signal?: AbortSignal;
  /**
   * Milliseconds the task may run; the clock starts when it starts running, not while it waits.
   * @default the executor's `timeout` (none)
   */
  timeout?: number;
  /**
   * `ArrayBuffer`s (etc.) to move to the worker thread instead of copying them: `threads`,
   * and `auto` when it runs the task on a worker thread. A moved buffer is empty in the
   * caller afterwards. The other modes ignore it (`processes` copies every input).
   */
  transfer?: readonly TransferListItem[];
  /**
   * Higher runs first among waiting tasks; equal priorities run in submission order.
   * @default 0
   */
  priority?: number;
  /** Receives what the task passes to `ctx.progress(value)`; throttled, called on the caller's thread. */
  onProgress?: (value: unknown) => void;
}

/** Options of {@link Executor.map} and {@link Executor.mapSettled}. */
export interface MapOptions {
  /**
   * `true`: `map` yields outputs in input order. `false`: in completion order.
   * (`mapSettled` always yields in completion order; each item carries its `index`.)
   * @default true
   */
  ordered?: boolean;
  /** Stops the whole map: no further inputs are read and running tasks are cancelled. */
  signal?: AbortSignal;
  /** Per-task timeout in ms, from the moment each task starts running. @default the executor's `timeout` */
  timeout?: number;
  /** Inputs sent to a worker per message (pools); small tasks are batched to amortise dispatch. @default adaptive */
  chunkSize?: number;
  /** Receives `ctx.progress(value)` reports with the index of the input that sent them. */
  onProgress?: (value: unknown, index: number) => void;
}

/** One outcome of {@link Executor.mapSettled}. */
export type Settled<O> =
  | { readonly index: number; readonly ok: true; readonly value: O }
  | { readonly index: number; readonly ok: false; readonly error: Error };

/** Options of {@link Executor.close}. */
export interface CloseOptions {
  /** Cancel accepted work at once instead of waiting for it. @default false */
  cancel?: boolean;
  /** Wait at most this many ms for accepted work, then cancel what is left. @default no limit */
  timeout?: number;
}

/**
 * A snapshot of what an executor is doing. Every task accepted counts in exactly one of
 * `running`, `queued`, `completed` and `failed`, from the moment `submit` returns (or `map`
 * reads its input): their sum is the number of tasks accepted so far, whenever it is read —
 * in a task, in a handler, right after a `map` rejects. A `submit` refused with
 * `QueueFullError` counts nowhere.
 */
export interface ExecutorStats {
  readonly mode: Mode;
  /** Live workers (threads or processes); `0` for `sync` and `loop`, which run on the calling thread. */
  readonly workers: number;
  /** Most tasks in flight at once. */
  readonly concurrency: number;
  /**
   * Tasks started and not ended. Each input of a `map` chunk a worker has taken counts here
   * until the chunk's answer. A task that timed out or was cancelled has ended, and moves to
   * `failed` as its caller gets the error — even one that ignores its signal and runs on
   * until its worker is stopped after the grace period (`pool.perWorker` still shows it).
   */
  readonly running: number;
  /** Tasks accepted and waiting to run: in a queue, or for their task module to load. */
  readonly queued: number;
  /** Tasks that finished with a value. */
  readonly completed: number;
  /** Tasks that finished with an error (thrown, timed out, cancelled, crashed, unsendable). */
  readonly failed: number;
  /** Re-runs after a worker crash. */
  readonly retried: number;
  /**
   * How busy the executor has been since it was created, 0..1: for `sync` and `loop` the
   * event-loop utilisation of the calling thread, for pools the mean busy share of the workers.
   */
  readonly utilization: number;
  /** `threads` and `processes`: per-worker task counts and run/wait time percentiles. */
  readonly pool?: PoolDetails | undefined;
}

/** Timing percentiles in milliseconds (0 before any sample). */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** What a pool knows about its workers and its recent tasks. */
export interface PoolDetails {
  /**
   * One entry per live worker: its id (as `ctx.workerId`), inputs it completed, and jobs it
   * runs (a `map` chunk is one job; a cancelled one counts until the worker lets it go).
   */
  readonly perWorker: readonly {
    readonly id: number;
    readonly tasks: number;
    readonly running: number;
  }[];
  /** ms each recent input ran inside its worker. */
  readonly runTime: Percentiles;
  /** ms each recent task (or map chunk) waited between being accepted and starting. */
  readonly waitTime: Percentiles;
}

/** The kinds of work `auto` tells apart. */
export type Workload = 'io-bound' | 'cpu-bound' | 'mixed' | 'tiny';

/** One level `auto` tried, what it measured there, and why it moved on. */
export interface DecisionStep {
  /** ms since the task's first run began. */
  readonly atMs: number;
  readonly mode: 'loop' | 'threads';
  /** Tasks in flight at this level (`threads`: workers × tasks per worker). */
  readonly concurrency: number;
  /** `threads` only. */
  readonly tasksPerWorker?: number;
  /** Tasks finished per second at this level (0 when none finished there). */
  readonly throughput: number;
  /** One human sentence: why it left this level for the next. */
  readonly reason: string;
}

/** What `auto` is doing now, and why. */
export interface Decision {
  readonly mode: Exclude<Mode, 'auto'>;
  readonly concurrency: number;
  readonly workers?: number;
  readonly tasksPerWorker?: number;
  /**
   * Tasks finished per second at this level as `auto` measured it, once it keeps the level
   * for that measurement: it stayed after measuring it, or went back to it when a step from
   * there did not pay. Absent while the level is on trial — the first level, a step up or
   * down, a move between this thread and worker threads — not yet measured, or not yet
   * judged.
   */
  readonly throughput?: number;
  /** One human sentence: why it runs the tasks this way now. */
  readonly reason: string;
  /** The numbers behind it (ms, shares 0..1, tasks per second); see `switchyard profile`. */
  readonly measured: Readonly<Record<string, number>>;
  /** The levels tried before this one, oldest first (the most recent few), each with its reason. */
  readonly history: readonly DecisionStep[];
  /** What kind of work the measurements show. */
  readonly workload?: Workload;
}

/** The one interface every mode implements. */
export interface Executor extends AsyncDisposable {
  readonly mode: Mode;
  /** `auto` only: the current choice, from its first task on; it may change while work runs. */
  readonly decision?: Decision | undefined;
  /** Runs one task; resolves with its output. */
  submit<T extends TaskLike<never, unknown>>(
    task: T,
    input: InputOf<T>,
    options?: SubmitOptions,
  ): Promise<OutputOf<T>>;
  /**
   * Runs the task over every input, read lazily (an endless generator is fine); yields
   * outputs in input order (or completion order with `ordered: false`). Rejects with the
   * first failure in time and cancels what is still in flight; breaking out of the loop
   * cancels too.
   */
  map<T extends TaskLike<never, unknown>>(
    task: T,
    inputs: Iterable<InputOf<T>> | AsyncIterable<InputOf<T>>,
    options?: MapOptions,
  ): AsyncIterableIterator<OutputOf<T>>;
  /** Like `map`, but never rejects for a task's failure: yields `{ index, ok, value | error }` in completion order. */
  mapSettled<T extends TaskLike<never, unknown>>(
    task: T,
    inputs: Iterable<InputOf<T>> | AsyncIterable<InputOf<T>>,
    options?: Omit<MapOptions, 'ordered'>,
  ): AsyncIterableIterator<Settled<OutputOf<T>>>;
  stats(): ExecutorStats;
  /**
   * Resolves when `submit` can accept another task without passing `maxQueue` (at once when
   * there is room, or when `maxQueue` is not set; once the queue is full, when it has drained
   * to half of `maxQueue`): `await ex.ready()` before each `submit` keeps a producer's
   * memory flat.
   */
  ready(): Promise<void>;
  /** Stops taking work, waits for (or cancels) what was accepted, then releases every resource. */
  close(options?: CloseOptions): Promise<void>;
}

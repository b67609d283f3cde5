/**
 * The options of `createExecutor`, documented where users hover, and the checks that turn
 * a wrong value into an error naming the option and what it accepts.
 */
import type { ResourceLimits } from 'node:worker_threads';
import { checkCount, checkMilliseconds, checkSignal } from './checks.js';
import { MODES, type Mode } from './types.js';

/** Options of `createExecutor`. Only `mode` is required. */
export interface ExecutorOptions {
  /** The concurrency model; see the table in the README. */
  mode: Mode;
  /**
   * Most tasks in flight at once.
   * @default `loop`: 64; `sync`: 1; pools: `workers × tasksPerWorker`
   */
  concurrency?: number;
  /**
   * Pool size for `threads` and `processes`.
   * @default the CPUs this process may really use (`os.availableParallelism()`, lowered by a cgroup CPU quota), at least 1
   */
  workers?: number;
  /** Tasks one worker runs at once on its own event loop (for work that mixes I/O and CPU). @default 1 */
  tasksPerWorker?: number;
  /**
   * Milliseconds each task may run, counted from when it starts running. In `threads` and
   * `processes` a task past it is stopped for real (its worker is replaced). In `sync` and
   * `loop` its `ctx.signal` fires and it is rejected, but code that never awaits cannot be
   * interrupted on the event loop — that is what cooperative means.
   * @default no limit
   */
  timeout?: number;
  /** Times a task is re-run after its worker crashed (never after the task threw). @default 0 */
  retries?: number;
  /** Most tasks waiting to run; past it `submit` waits (backpressure) instead of growing memory. @default no limit */
  maxQueue?: number;
  /** Memory caps per worker (`threads`, `processes`). */
  resourceLimits?: ResourceLimits;
  /** Recycle a worker after this many tasks (for leaky task code). @default no limit */
  maxTasksPerWorker?: number;
  /** ms before an idle worker above the minimum (`minWorkers`) is stopped. @default 30_000 */
  idleTimeout?: number;
  /**
   * Workers of a `threads`/`processes` pool kept running while idle; the others stop after
   * `idleTimeout`. `0` lets an idle pool shrink to nothing (each burst then starts cold).
   * @default 1
   */
  minWorkers?: number;
  /** `distributed`: a Redis URL (`redis://[:password@]host:port/db`) or ioredis options. */
  connection?: string | Record<string, unknown>;
  /** `distributed`: the queue name. @default 'switchyard' */
  queue?: string;
}

const KNOWN_OPTIONS: readonly (keyof ExecutorOptions)[] = [
  'mode',
  'concurrency',
  'workers',
  'tasksPerWorker',
  'timeout',
  'retries',
  'maxQueue',
  'resourceLimits',
  'maxTasksPerWorker',
  'idleTimeout',
  'minWorkers',
  'connection',
  'queue',
];

/** Checks every option; throws `TypeError`/`RangeError` naming the option and the accepted values. */
export function checkExecutorOptions(options: unknown): ExecutorOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `createExecutor(): options must be an object such as { mode: 'loop' }, got ${options === null ? 'null' : typeof options}`,
    );
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(KNOWN_OPTIONS as readonly string[]).includes(key)) {
      throw new TypeError(
        `createExecutor(): unknown option '${key}'; known options are ${KNOWN_OPTIONS.join(', ')}`,
      );
    }
  }
  if (!MODES.includes(given.mode as Mode)) {
    throw new RangeError(
      `createExecutor(): option 'mode' must be one of ${MODES.map((m) => `'${m}'`).join(', ')}; got ${JSON.stringify(given.mode) ?? 'undefined'}`,
    );
  }
  checkCount(given, 'concurrency', 1);
  checkCount(given, 'workers', 1);
  checkCount(given, 'tasksPerWorker', 1);
  checkMilliseconds(given, 'timeout');
  checkCount(given, 'retries', 0);
  checkCount(given, 'maxQueue', 0);
  checkCount(given, 'maxTasksPerWorker', 1);
  checkMilliseconds(given, 'idleTimeout', true);
  checkCount(given, 'minWorkers', 0);
  const { minWorkers, workers } = given as { minWorkers?: number; workers?: number };
  if (minWorkers !== undefined && workers !== undefined && minWorkers > workers) {
    throw new RangeError(
      `createExecutor(): option 'minWorkers' (${minWorkers}) must not exceed 'workers' (${workers}); lower minWorkers or raise workers`,
    );
  }
  if (
    given.resourceLimits !== undefined &&
    (typeof given.resourceLimits !== 'object' || given.resourceLimits === null)
  ) {
    throw new TypeError(
      `createExecutor(): option 'resourceLimits' must be an object such as { maxOldGenerationSizeMb: 256 }`,
    );
  }
  if (
    given.connection !== undefined &&
    typeof given.connection !== 'string' &&
    (typeof given.connection !== 'object' || given.connection === null)
  ) {
    throw new TypeError(
      `createExecutor(): option 'connection' must be a Redis URL such as 'redis://127.0.0.1:6379' or an ioredis options object`,
    );
  }
  if (given.queue !== undefined && (typeof given.queue !== 'string' || given.queue.length === 0)) {
    throw new TypeError(`createExecutor(): option 'queue' must be a non-empty string`);
  }
  return given as unknown as ExecutorOptions;
}

/** Options left out: one shared object, not one per call. */
const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({});

/** Validates the options shared by `submit`, `map` and `mapSettled`. */
export function checkCallOptions(options: unknown, where: string): Record<string, unknown> {
  if (options === undefined) return NO_OPTIONS;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `${where}: options must be an object, got ${options === null ? 'null' : typeof options}`,
    );
  }
  const given = options as Record<string, unknown>;
  checkSignal(given.signal, where);
  checkMilliseconds(given, 'timeout', false, where);
  checkCount(given, 'chunkSize', 1, where);
  if (given.priority !== undefined && !Number.isFinite(given.priority)) {
    throw new RangeError(
      `${where}: option 'priority' must be a finite number (higher runs first), got ${String(given.priority)}`,
    );
  }
  if (given.onProgress !== undefined && typeof given.onProgress !== 'function') {
    throw new TypeError(
      `${where}: option 'onProgress' must be a function, got ${typeof given.onProgress}`,
    );
  }
  if (given.ordered !== undefined && typeof given.ordered !== 'boolean') {
    throw new TypeError(
      `${where}: option 'ordered' must be true or false, got ${String(given.ordered)}`,
    );
  }
  if (given.transfer !== undefined && !Array.isArray(given.transfer)) {
    throw new TypeError(
      `${where}: option 'transfer' must be an array of transferable objects (ArrayBuffer, MessagePort, …)`,
    );
  }
  return given;
}

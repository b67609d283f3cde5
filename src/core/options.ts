/**
 * The options of `createExecutor`, typed per mode: each mode's interface lists only the
 * options that mode takes, so `{ mode: 'loop', workers: 4 }` does not compile (and at run
 * time is a `TypeError` that names the modes taking `workers`). Defaults live in
 * {@link DEFAULTS}; each option's documentation says which of them applies.
 */
import type { ResourceLimits } from 'node:worker_threads';
import type { DEFAULTS, defaultWorkers, MAX_WORKERS } from './defaults.js';
import type { Mode } from './types.js';

/** Options every mode takes. */
export interface CommonOptions {
  /**
   * Milliseconds each task may run, counted from when it starts running (never while it
   * waits). At expiry the task's `ctx.signal` fires with a `TimeoutError` and the task
   * rejects with it. In `threads`, `processes` and `distributed` a task that ignores its
   * signal is stopped for real: its worker is stopped after a grace period
   * ({@link DEFAULTS}.stopGrace) and replaced. In `sync` and `loop` code that never awaits
   * cannot be interrupted (that is what cooperative means); `auto` keeps such work off the
   * calling thread when a timeout is set.
   * @default no limit
   * @example createExecutor({ mode: 'threads', timeout: 5_000 })
   */
  timeout?: number;
  /**
   * Most tasks accepted but not yet running. Past it, `submit` rejects at once with
   * `QueueFullError` and keeps nothing; `await ex.ready()` resolves when there is room, so a
   * producer loop keeps memory flat. `map` needs none of this: it reads its inputs lazily.
   * @default no limit
   * @example
   * const ex = createExecutor({ mode: 'threads', maxQueue: 1_000 });
   * for (const input of inputs) {
   *   await ex.ready();
   *   ex.submit(job, input).then(save, report);
   * }
   */
  maxQueue?: number;
}

/** `sync`: no concurrency, one task after another on the calling thread — the baseline. */
export interface SyncOptions extends CommonOptions {
  mode: 'sync';
}

/** `loop`: cooperative multitasking on the event loop, for I/O-bound work. */
export interface LoopOptions extends CommonOptions {
  mode: 'loop';
  /**
   * Most tasks in flight at once.
   * @default {@link DEFAULTS}.loopConcurrency
   * @example createExecutor({ mode: 'loop', concurrency: 200 })
   */
  concurrency?: number;
}

/** Options of the pools (`threads`, `processes`), also taken by `auto`, which may choose one. */
export interface PoolOptions extends CommonOptions {
  /**
   * Most tasks in flight at once. Without `workers`, the pool gets enough workers for it
   * (`concurrency ÷ tasksPerWorker`, at most {@link MAX_WORKERS}).
   * @default `workers × tasksPerWorker`
   */
  concurrency?: number;
  /**
   * Pool size, at most {@link MAX_WORKERS} (1,024).
   * @default the CPUs this process may really use ({@link defaultWorkers})
   * @example createExecutor({ mode: 'threads', workers: 4 })
   */
  workers?: number;
  /**
   * Tasks one worker runs at once on its own event loop: above 1 for work that mixes
   * waiting and computing.
   * @default {@link DEFAULTS}.tasksPerWorker
   */
  tasksPerWorker?: number;
  /**
   * Times a task is re-run after its worker crashed (never after the task threw).
   * @default {@link DEFAULTS}.retries
   */
  retries?: number;
  /**
   * Memory caps per worker. Hitting one ends the worker; its task fails with
   * `WorkerCrashedError` (`memoryLimit: true`).
   * @default no caps
   * @example createExecutor({ mode: 'processes', resourceLimits: { maxOldGenerationSizeMb: 256 } })
   */
  resourceLimits?: ResourceLimits;
  /**
   * Recycle a worker after this many tasks (for leaky task code; like Python's
   * `max_tasks_per_child`).
   * @default no limit
   */
  maxTasksPerWorker?: number;
  /**
   * Workers kept running while the pool is idle; the others stop after `idleTimeout`. `0`
   * lets an idle pool shrink to nothing (each burst then starts cold).
   * @default {@link DEFAULTS}.minWorkers
   */
  minWorkers?: number;
  /**
   * ms an idle worker above `minWorkers` waits before it stops.
   * @default {@link DEFAULTS}.idleTimeout
   */
  idleTimeout?: number;
}

/** `threads`: a pool of worker threads — pre-emptive multitasking in parallel, for CPU-bound work. */
export interface ThreadsOptions extends PoolOptions {
  mode: 'threads';
}

/** `processes`: a pool of child processes — for work that needs crash or memory isolation. */
export interface ProcessesOptions extends PoolOptions {
  mode: 'processes';
}

/** `distributed`: tasks become BullMQ jobs on Redis, run by `switchyard worker` processes. */
export interface DistributedOptions extends CommonOptions {
  mode: 'distributed';
  /**
   * Most tasks in flight at once (sent and not yet settled).
   * @default {@link DEFAULTS}.distributedConcurrency
   */
  concurrency?: number;
  /**
   * Times a job is re-run after the worker process running it died.
   * @default {@link DEFAULTS}.retries
   */
  retries?: number;
  /**
   * A Redis URL (`redis://[:password@]host:port/db`, `rediss://` for TLS) or ioredis
   * options. Required: there is no default Redis.
   * @example createExecutor({ mode: 'distributed', connection: 'redis://:secret@redis.internal:6379' })
   */
  connection?: string | Record<string, unknown>;
  /**
   * The queue name; executors and workers that share it share the work.
   * @default {@link DEFAULTS}.queue
   */
  queue?: string;
}

/** `auto`: the mode and concurrency are chosen by measuring the work while it runs. */
export interface AutoOptions extends PoolOptions {
  mode: 'auto';
  /**
   * A cap on the tasks in flight at once, on the calling thread and on worker threads
   * alike; `auto` chooses the number below it by measuring.
   * @default no cap of the user's: `auto` starts at {@link DEFAULTS}.loopConcurrency on the
   * calling thread and goes up to 1,024 there
   */
  concurrency?: number;
  /**
   * A cap on the tasks one worker thread runs at once, should `auto` move the work there.
   * @default no cap of the user's: `auto` goes up to 64
   */
  tasksPerWorker?: number;
}

/** Options of `createExecutor`: `mode` decides which others apply. */
export type ExecutorOptions =
  | SyncOptions
  | LoopOptions
  | ThreadsOptions
  | ProcessesOptions
  | DistributedOptions
  | AutoOptions;

/** Every option's name, whatever the mode. */
export type OptionName = keyof LoopOptions | keyof ThreadsOptions | keyof DistributedOptions;

const COMMON = ['mode', 'timeout', 'maxQueue'] as const;
const POOL = [
  ...COMMON,
  'concurrency',
  'workers',
  'tasksPerWorker',
  'retries',
  'resourceLimits',
  'maxTasksPerWorker',
  'minWorkers',
  'idleTimeout',
] as const;

/** Which options each mode takes: the run-time twin of the types above. */
export const MODE_OPTIONS: { readonly [M in Mode]: readonly OptionName[] } = {
  sync: COMMON,
  loop: [...COMMON, 'concurrency'],
  threads: POOL,
  processes: POOL,
  distributed: [...COMMON, 'concurrency', 'retries', 'connection', 'queue'],
  auto: POOL,
};

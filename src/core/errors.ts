/**
 * Every failure switchyard reports is one of these classes, all subclasses of
 * {@link SwitchyardError} with a stable string `code`. Each message says what happened and
 * what to do about it; the underlying reason is kept in `cause`.
 *
 * `instanceof` holds across copies of this module. A worker thread runs switchyard's own
 * bundled worker program while the task module imports `switchyard` itself, so the
 * `TimeoutError` a task sees as `ctx.signal.reason` and the `TimeoutError` it imports are
 * two classes; every switchyard error carries a brand (a registered symbol) and its code,
 * and `instanceof` checks those when the prototype chain does not match.
 */

/** The `code` of every switchyard error, stable across versions: match on it, not on messages. */
export const ERROR_CODES = {
  TaskError: 'ERR_TASK',
  TimeoutError: 'ERR_TIMEOUT',
  /** The same code as the platform's `AbortError`, so code that checks it keeps working. */
  CancelledError: 'ABORT_ERR',
  WorkerCrashedError: 'ERR_WORKER_CRASHED',
  SerializationError: 'ERR_SERIALIZATION',
  TaskNotFoundError: 'ERR_TASK_NOT_FOUND',
  ExecutorClosedError: 'ERR_EXECUTOR_CLOSED',
  QueueFullError: 'ERR_QUEUE_FULL',
  RedisConnectionError: 'ERR_REDIS_CONNECTION',
  TaskLostError: 'ERR_TASK_LOST',
  JobFailedError: 'ERR_JOB_FAILED',
  QueueClosedError: 'ERR_QUEUE_CLOSED',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Marks an error made by any copy of switchyard. */
const BRAND = Symbol.for('switchyard.error');

/** The classes of this copy by code, for `instanceof` across copies and for the wire. */
const CLASSES = new Map<string, ErrorClass>();

/** Any of switchyard's error classes, whatever its constructor takes. */
export type ErrorClass = abstract new (...args: never[]) => SwitchyardError;

/** The base of every error switchyard reports. */
export class SwitchyardError extends Error {
  /** Stable across versions; see {@link ERROR_CODES}. */
  readonly code: ErrorCode | undefined;

  constructor(code: ErrorCode | undefined, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for an error made by any copy of switchyard. */
export function isBranded(value: unknown): value is SwitchyardError {
  return typeof value === 'object' && value !== null && BRAND in value;
}

/** The class of this copy for a code, if it is a switchyard code. */
export function errorClassOf(code: unknown): ErrorClass | undefined {
  return typeof code === 'string' ? CLASSES.get(code) : undefined;
}

/** Rebuilt errors get their brand here: see `wire.ts`. */
export function brand(error: Error): void {
  Object.defineProperty(error, BRAND, { value: true });
}

/** The task itself threw. `cause` is the task's own error, rebuilt with its name, message and stack. */
export class TaskError extends SwitchyardError {
  override readonly name = 'TaskError';
  constructor(cause: Error, where?: string) {
    super(
      ERROR_CODES.TaskError,
      `task ${where ? `${where} ` : ''}threw ${cause.name}: ${cause.message}`,
      { cause },
    );
  }
}

/** The task ran longer than its `timeout` (the clock starts when it starts running). */
export class TimeoutError extends SwitchyardError {
  override readonly name = 'TimeoutError';
  readonly timeoutMs: number;
  constructor(timeoutMs: number, what = 'task', options?: ErrorOptions) {
    super(
      ERROR_CODES.TimeoutError,
      `${what} timed out after ${timeoutMs} ms; raise \`timeout\` if it needs longer, or make it honour ctx.signal`,
      options,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** The task was cancelled through an `AbortSignal` or `close({ cancel: true })`. Named `AbortError` like the platform's. */
export class CancelledError extends SwitchyardError {
  override readonly name = 'AbortError';
  constructor(message = 'task was cancelled before it finished', options?: ErrorOptions) {
    super(ERROR_CODES.CancelledError, message, options);
  }
}

/** How a worker died. */
export interface WorkerExit {
  /** Exit code, when the worker exited. */
  readonly exitCode?: number | null;
  /** Signal that killed a worker process, e.g. `'SIGSEGV'`. */
  readonly signal?: NodeJS.Signals | null;
  /** The worker ran out of its memory cap (`resourceLimits`). */
  readonly memoryLimit?: boolean;
}

/** The worker running the task died (exit, uncaught error, memory cap, fatal signal). */
export class WorkerCrashedError extends SwitchyardError {
  override readonly name = 'WorkerCrashedError';
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly memoryLimit: boolean;
  /**
   * `detail` says more of how it died; `options.advice` replaces the closing advice (to set
   * `retries`) where that cannot help.
   */
  constructor(exit: WorkerExit, detail?: string, options?: ErrorOptions & { advice?: string }) {
    const how = exit.memoryLimit
      ? 'hit its memory limit'
      : exit.signal
        ? `was killed by ${exit.signal}`
        : `exited with code ${exit.exitCode ?? 'unknown'}`;
    const advice = options?.advice ?? 'set `retries` to re-run such tasks';
    super(
      ERROR_CODES.WorkerCrashedError,
      `worker ${how} while running the task${detail ? ` (${detail})` : ''}; the worker was replaced — ${advice}`,
      options,
    );
    this.exitCode = exit.exitCode ?? null;
    this.signal = exit.signal ?? null;
    this.memoryLimit = exit.memoryLimit ?? false;
  }
}

/** An input or output cannot be sent between threads or processes. */
export class SerializationError extends SwitchyardError {
  override readonly name = 'SerializationError';
  /** Where in the value the problem is, e.g. `input.options.onDone`. */
  readonly path: string;
  /** What is there, e.g. `is a function`. */
  readonly problem: string;
  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(
      ERROR_CODES.SerializationError,
      `${path} ${problem}; only structured-cloneable data (no functions, sockets or class instances with behaviour) can cross to a worker`,
      options,
    );
    this.path = path;
    this.problem = problem;
  }
}

/** The task's module or export does not exist (raised before any input runs). */
export class TaskNotFoundError extends SwitchyardError {
  override readonly name = 'TaskNotFoundError';
  readonly moduleUrl: string;
  readonly exportName: string | undefined;
  constructor(
    moduleUrl: string,
    exportName: string | undefined,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(ERROR_CODES.TaskNotFoundError, problem, options);
    this.moduleUrl = moduleUrl;
    this.exportName = exportName;
  }
}

/** Work was submitted after `close()` began. */
export class ExecutorClosedError extends SwitchyardError {
  override readonly name = 'ExecutorClosedError';
  constructor(mode: string) {
    super(
      ERROR_CODES.ExecutorClosedError,
      `the ${mode} executor is closed and takes no more work; create a new executor`,
    );
  }
}

/**
 * `submit` found `maxQueue` tasks already waiting. Nothing was kept: `await ex.ready()`
 * before submitting again, or raise `maxQueue`.
 */
export class QueueFullError extends SwitchyardError {
  override readonly name = 'QueueFullError';
  readonly maxQueue: number;
  constructor(maxQueue: number) {
    super(
      ERROR_CODES.QueueFullError,
      `${maxQueue} tasks are already waiting (maxQueue); the task was not accepted — await ex.ready() before submitting more, or raise maxQueue`,
    );
    this.maxQueue = maxQueue;
  }
}

/**
 * `distributed`: Redis refused the connection (wrong password) or was unreachable for too
 * long. Work that was pending is rejected with it rather than left waiting for a Redis that
 * may never come back.
 */
export class RedisConnectionError extends SwitchyardError {
  override readonly name = 'RedisConnectionError';
  /** `'credentials'`: refused (retrying cannot help); `'unreachable'`: down longer than the grace period. */
  readonly reason: 'credentials' | 'unreachable';
  constructor(
    where: string,
    reason: 'credentials' | 'unreachable',
    problem: string,
    cause?: unknown,
  ) {
    super(
      ERROR_CODES.RedisConnectionError,
      `Redis at ${where}: ${problem}`,
      cause === undefined ? undefined : { cause },
    );
    this.reason = reason;
  }
}

/**
 * `distributed`: the job carrying the task is gone from Redis and no result for it was
 * kept — Redis lost its data (restarted without persistence, flushed, evicted keys) or
 * something removed the job. The task may or may not have run; `detail` says what was seen.
 */
export class TaskLostError extends SwitchyardError {
  override readonly name = 'TaskLostError';
  /** The BullMQ job id that carried the task. */
  readonly jobId: string;
  constructor(jobId: string, detail: string) {
    super(
      ERROR_CODES.TaskLostError,
      `the task's job ${jobId} vanished from Redis: ${detail}; the task may or may not have run — submit it again if it is safe to, and run Redis with persistence (appendonly yes) to keep jobs across restarts`,
    );
    this.jobId = jobId;
  }
}

/**
 * A distributed task's job failed as a whole on the cluster side, for a reason that is not
 * the task's own (that would be a `TaskError`): a worker refused the job as malformed — a
 * worker of another switchyard version, which speaks another protocol — or the worker
 * could not keep or report it.
 */
export class JobFailedError extends SwitchyardError {
  override readonly name = 'JobFailedError';
  /** The BullMQ job id that carried the task. */
  readonly jobId: string;
  /** Why the job failed, as the worker or BullMQ recorded it. */
  readonly reason: string;
  constructor(jobId: string, reason: string) {
    super(
      ERROR_CODES.JobFailedError,
      `the task's job ${jobId} failed on the switchyard worker as a whole: ${reason}; the task may or may not have run — run the same switchyard version on the executor and every worker, and submit it again if it is safe to`,
    );
    this.jobId = jobId;
    this.reason = reason;
  }
}

/** A `Queue` was used after `close()`: `put` is refused, and `get` once the queue is drained. */
export class QueueClosedError extends SwitchyardError {
  override readonly name = 'QueueClosedError';
  constructor(operation: 'put' | 'get') {
    super(
      ERROR_CODES.QueueClosedError,
      operation === 'put'
        ? 'cannot put: the queue is closed; close() only after the last put'
        : 'cannot get: the queue is closed and empty; use for await to stop at the end',
    );
  }
}

/**
 * `instanceof`: the prototype chain first; then, for switchyard's own classes, an error of
 * the same code made by another copy of switchyard (see the module comment). Subclasses
 * inherit it with `this` bound to themselves, so a user's own subclass keeps plain
 * prototype semantics.
 */
Object.defineProperty(SwitchyardError, Symbol.hasInstance, {
  value: function hasInstance(this: ErrorClass, value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!isBranded(value)) return false;
    if (this === SwitchyardError) return true;
    return CLASSES.get(value.code ?? '') === this;
  },
});

const REGISTERED: readonly [ErrorCode, ErrorClass][] = [
  [ERROR_CODES.TaskError, TaskError],
  [ERROR_CODES.TimeoutError, TimeoutError],
  [ERROR_CODES.CancelledError, CancelledError],
  [ERROR_CODES.WorkerCrashedError, WorkerCrashedError],
  [ERROR_CODES.SerializationError, SerializationError],
  [ERROR_CODES.TaskNotFoundError, TaskNotFoundError],
  [ERROR_CODES.ExecutorClosedError, ExecutorClosedError],
  [ERROR_CODES.QueueFullError, QueueFullError],
  [ERROR_CODES.RedisConnectionError, RedisConnectionError],
  [ERROR_CODES.TaskLostError, TaskLostError],
  [ERROR_CODES.JobFailedError, JobFailedError],
  [ERROR_CODES.QueueClosedError, QueueClosedError],
];
for (const [code, Class] of REGISTERED) CLASSES.set(code, Class);

/** Any thrown value as an `Error` (a non-Error is wrapped with its string form). */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Wraps what a task threw as a {@link TaskError}; a non-Error throw becomes an Error first. */
export function asTaskError(thrown: unknown, where?: string): TaskError {
  const cause =
    thrown instanceof Error ? thrown : new Error(`non-error value thrown: ${describe(thrown)}`);
  return new TaskError(cause, where);
}

/** A thrown value that is not an Error, in words. */
export function describe(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return typeof value;
  }
}

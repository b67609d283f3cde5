/**
 * Every failure switchyard reports is one of these classes. Each message says what
 * happened and what to do about it; the underlying reason is kept in `cause`.
 */

/** The task itself threw. `cause` is the task's own error, rebuilt with its name, message and stack. */
export class TaskError extends Error {
  override readonly name = 'TaskError';
  constructor(cause: Error, where?: string) {
    super(`task ${where ? `${where} ` : ''}threw ${cause.name}: ${cause.message}`, { cause });
  }
}

/** The task ran longer than its `timeout` (the clock starts when it starts running). */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly timeoutMs: number;
  constructor(timeoutMs: number, what = 'task', options?: ErrorOptions) {
    super(
      `${what} timed out after ${timeoutMs} ms; raise \`timeout\` if it needs longer, or make it honour ctx.signal`,
      options,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** The task was cancelled through an `AbortSignal` or `close({ cancel: true })`. Named `AbortError` like the platform's. */
export class CancelledError extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'task was cancelled before it finished', options?: ErrorOptions) {
    super(message, options);
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
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly memoryLimit: boolean;
  constructor(exit: WorkerExit, detail?: string, options?: ErrorOptions) {
    const how = exit.memoryLimit
      ? 'hit its memory limit'
      : exit.signal
        ? `was killed by ${exit.signal}`
        : `exited with code ${exit.exitCode ?? 'unknown'}`;
    super(
      `worker ${how} while running the task${detail ? ` (${detail})` : ''}; the worker was replaced — set \`retries\` to re-run such tasks`,
      options,
    );
    this.exitCode = exit.exitCode ?? null;
    this.signal = exit.signal ?? null;
    this.memoryLimit = exit.memoryLimit ?? false;
  }
}

/** An input or output cannot be sent between threads or processes. */
export class SerializationError extends Error {
  override readonly name = 'SerializationError';
  /** Where in the value the problem is, e.g. `input.options.onDone`. */
  readonly path: string;
  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(
      `${path} ${problem}; only structured-cloneable data (no functions, sockets or class instances with behaviour) can cross to a worker`,
      options,
    );
    this.path = path;
  }
}

/** The task's module or export does not exist (raised before any input runs). */
export class TaskNotFoundError extends Error {
  override readonly name = 'TaskNotFoundError';
  readonly moduleUrl: string;
  readonly exportName: string | undefined;
  constructor(
    moduleUrl: string,
    exportName: string | undefined,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(problem, options);
    this.moduleUrl = moduleUrl;
    this.exportName = exportName;
  }
}

/** Work was submitted after `close()` began. */
export class ExecutorClosedError extends Error {
  override readonly name = 'ExecutorClosedError';
  constructor(mode: string) {
    super(`the ${mode} executor is closed and takes no more work; create a new executor`);
  }
}

/**
 * `distributed`: Redis refused the connection (wrong password) or was unreachable for too
 * long. Work that was pending is rejected with it rather than left waiting for a Redis that
 * may never come back.
 */
export class RedisConnectionError extends Error {
  override readonly name = 'RedisConnectionError';
  /** `'credentials'`: refused (retrying cannot help); `'unreachable'`: down longer than the grace period. */
  readonly reason: 'credentials' | 'unreachable';
  constructor(
    where: string,
    reason: 'credentials' | 'unreachable',
    problem: string,
    cause?: unknown,
  ) {
    super(`Redis at ${where}: ${problem}`, cause === undefined ? undefined : { cause });
    this.reason = reason;
  }
}

/** A plain object that carries an error across a thread, process or network boundary. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
  readonly code?: unknown;
}

/** Flattens any thrown value into a {@link SerializedError}. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      stack: error.stack,
      ...(code === undefined ? {} : { code }),
    };
  }
  return { name: 'Error', message: `non-error value thrown: ${describeThrown(error)}` };
}

/** Rebuilds an error from {@link serializeError}, keeping its original name, message and stack. */
export function deserializeError(data: SerializedError): Error {
  const error = new Error(data.message);
  error.name = data.name;
  if (data.stack !== undefined) error.stack = data.stack;
  if (data.code !== undefined) (error as { code?: unknown }).code = data.code;
  return error;
}

/** Any thrown value as an `Error` (a non-Error is wrapped with its string form). */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Wraps what a task threw as a {@link TaskError}; a non-Error throw becomes an Error first. */
export function asTaskError(thrown: unknown, where?: string): TaskError {
  const cause = thrown instanceof Error ? thrown : deserializeError(serializeError(thrown));
  return new TaskError(cause, where);
}

function describeThrown(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return typeof value;
  }
}

/** A `Queue` was used after `close()`: `put` is refused, and `get` once the queue is drained. */
export class QueueClosedError extends Error {
  override readonly name = 'QueueClosedError';
  constructor(operation: 'put' | 'get') {
    super(
      operation === 'put'
        ? 'cannot put: the queue is closed; close() only after the last put'
        : 'cannot get: the queue is closed and empty; use for await to stop at the end',
    );
  }
}

/** A line of a `switchyard run` input file is not one JSON value. */
export class InputLineError extends Error {
  override readonly name = 'InputLineError';
  /** 1-based line number in the input file. */
  readonly line: number;
  constructor(line: number, problem: string) {
    super(
      `input line ${line} is not valid JSON (${problem}); each line must hold exactly one JSON value`,
    );
    this.line = line;
  }
}

/** A task's output has no JSON form (a BigInt, a cycle), so `switchyard run` cannot write it. */
export class ResultNotJsonError extends Error {
  override readonly name = 'ResultNotJsonError';
  constructor(cause: unknown) {
    const { name, message } = serializeError(cause);
    super(
      `the task's output cannot be written as JSON (${name}: ${message}); return plain data (convert BigInts to strings)`,
      { cause },
    );
  }
}

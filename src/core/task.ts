import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Task references: a task is an exported function in an importable module. Functions
 * cannot cross thread or process boundaries, so executors that leave the calling thread
 * are given a *reference* — a module URL and an export name — and import it where it runs.
 */

/** What a running task is given besides its input. */
export interface TaskContext {
  /** Fires when the task is cancelled or times out; long tasks should check it. */
  readonly signal: AbortSignal;
  /** Where the task runs: `0` is the calling thread (`sync`, `loop`); pool workers count from 1. */
  readonly workerId: number;
  /** Sends a progress report to the caller's `onProgress`; throttled, never blocks the task. */
  progress(value: unknown): void;
}

/** The shape of a task function. */
export type TaskFunction<I = never, O = unknown> = (input: I, ctx: TaskContext) => O | Promise<O>;

declare const phantomTypes: unique symbol;

/** A reference to an exported task function, typed by its input `I` and output `O`. */
export interface Task<I, O> {
  readonly kind: 'switchyard.task';
  /** Absolute `file:` (or other importable) URL of the module. */
  readonly moduleUrl: string;
  /** Name of the export; `'default'` for a default export. */
  readonly exportName: string;
  /** Carries `I` and `O` for type inference only; never present at run time. */
  readonly [phantomTypes]?: (input: I) => O;
}

/** A task reference, or (for `sync` and `loop`) a plain function. */
export type TaskLike<I, O> = Task<I, O> | TaskFunction<I, O>;

/** The input type of a task reference or function. */
export type InputOf<T> =
  T extends Task<infer I, unknown>
    ? I
    : T extends (input: infer I, ctx: TaskContext) => unknown
      ? I
      : never;

/**
 * The output type (awaited) of a task reference or function. (`Task<never, …>`: a
 * reference's input is contravariant, so only `never` matches every input type.)
 */
export type OutputOf<T> =
  T extends Task<never, infer O> ? O : T extends (...args: never[]) => infer R ? Awaited<R> : never;

/**
 * One task reference per function export of module type `M`. A function without
 * parameters takes `undefined`; one declared `(input: unknown)` takes anything.
 */
export type TasksOf<M> = {
  readonly [K in keyof M as M[K] extends (...args: never[]) => unknown ? K : never]: M[K] extends (
    ...args: infer P
  ) => infer R
    ? Task<P extends readonly [] ? undefined : P[0], Awaited<R>>
    : never;
};

/**
 * Makes a reference to the export `exportName` of the module at `moduleUrl`.
 *
 * @param moduleUrl - a `URL`, a `file:` URL string or an absolute path; relative paths are
 *   ambiguous across threads and processes, so pass `new URL('./jobs.js', import.meta.url)`.
 * @example
 * const cpuBound = task<number, bigint>(new URL('./jobs.js', import.meta.url), 'cpuBound');
 */
export function task<I, O>(moduleUrl: URL | string, exportName = 'default'): Task<I, O> {
  if (typeof exportName !== 'string' || exportName.length === 0) {
    throw new TypeError(`task(): exportName must be a non-empty string, got ${String(exportName)}`);
  }
  return Object.freeze({
    kind: 'switchyard.task',
    moduleUrl: normalizeModuleUrl(moduleUrl),
    exportName,
  });
}

/**
 * Makes a typed record of references, one per function export of the module; input and
 * output types are inferred from the module's type. The module is not imported here: a
 * missing export is reported (`TaskNotFoundError`) when an executor first uses it.
 *
 * @example
 * const jobs = tasks<typeof import('./jobs.js')>(new URL('./jobs.js', import.meta.url));
 * await ex.submit(jobs.cpuBound, 5_000_000); // Task<number, bigint>
 */
export function tasks<M>(moduleUrl: URL | string): TasksOf<M> {
  const url = normalizeModuleUrl(moduleUrl);
  const made = new Map<string, Task<unknown, unknown>>();
  return new Proxy(Object.create(null) as TasksOf<M>, {
    get(_target, key) {
      // `then` must stay undefined so that awaiting the record does not treat it as a promise.
      if (typeof key !== 'string' || key === 'then') return undefined;
      let ref = made.get(key);
      if (!ref) {
        ref = task(url, key);
        made.set(key, ref);
      }
      return ref;
    },
  });
}

/** True for a value made by {@link task} or {@link tasks} (also after structured cloning). */
export function isTask(value: unknown): value is Task<unknown, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'switchyard.task' &&
    typeof (value as { moduleUrl?: unknown }).moduleUrl === 'string' &&
    typeof (value as { exportName?: unknown }).exportName === 'string'
  );
}

/**
 * The `TypeError` of a mode that may run work off the calling thread (every mode but `sync`
 * and `loop`) for the plain function `fn`: it names the function, says `why` it cannot run
 * there, and what to pass instead — a reference to it, or what `orElse` offers besides.
 */
export function plainFunctionError(
  mode: string,
  fn: TaskFunction<never, unknown>,
  why: string,
  orElse = '',
): TypeError {
  const name = fn.name || 'myTask';
  return new TypeError(
    `${mode}: cannot run the plain function ${fn.name ? `${fn.name}()` : '(anonymous)'}: ${why}. Export it from a module and pass a reference instead: task(new URL('./tasks.js', import.meta.url), '${name}')${orElse}`,
  );
}

/** A short human name for a task, for messages: `jobs.js#cpuBound` or the function's name. */
export function describeTask(t: TaskLike<never, unknown>): string {
  if (typeof t === 'function') return t.name ? `${t.name}()` : '(anonymous function)';
  const file = t.moduleUrl.slice(t.moduleUrl.lastIndexOf('/') + 1);
  return `${file}#${t.exportName}`;
}

function normalizeModuleUrl(moduleUrl: URL | string): string {
  if (moduleUrl instanceof URL) return moduleUrl.href;
  if (typeof moduleUrl !== 'string' || moduleUrl.length === 0) {
    throw new TypeError(
      `task(): moduleUrl must be a URL or an absolute path, got ${String(moduleUrl)}; pass new URL('./jobs.js', import.meta.url)`,
    );
  }
  if (isAbsolute(moduleUrl)) return pathToFileURL(moduleUrl).href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(moduleUrl)) return moduleUrl;
  throw new TypeError(
    `task(): moduleUrl ${JSON.stringify(moduleUrl)} is relative, and relative paths resolve differently in workers; pass new URL('${moduleUrl}', import.meta.url) or an absolute path`,
  );
}

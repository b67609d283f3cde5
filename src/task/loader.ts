/**
 * The one module loader every executor uses — in the calling thread and inside each
 * worker. It imports `.js`, `.mjs`, `.cjs` and `.ts` modules (the last through tsx's
 * programmatic API, so users need no build step), caches them, and turns a missing module
 * or export into a {@link TaskNotFoundError} that says what exists instead.
 */

import { fileURLToPath } from 'node:url';
import { asTaskError, TaskNotFoundError } from '../core/errors.js';
import { describeTask, type Task, type TaskFunction, task } from '../core/task.js';

type ModuleNamespace = Record<string, unknown>;

const modules = new Map<string, Promise<ModuleNamespace>>();
const functions = new Map<string, Promise<TaskFunction<unknown, unknown>>>();

const TYPESCRIPT_FILE = /\.(?:[cm]?ts|tsx)$/i;

/**
 * Resolves a task reference to its function, importing the module on first use.
 * Failures are not cached, so a module fixed on disk loads on the next call.
 */
export function loadTask(ref: Task<unknown, unknown>): Promise<TaskFunction<unknown, unknown>> {
  const key = `${ref.moduleUrl}#${ref.exportName}`;
  let loaded = functions.get(key);
  if (!loaded) {
    loaded = importModule(ref).then((namespace) => pickExport(ref, namespace));
    functions.set(key, loaded);
    loaded.catch(() => functions.delete(key));
  }
  return loaded;
}

/**
 * Most ms a task waits for its module, on the calling thread or in a worker. It is not the
 * task's `timeout`, which counts from the start of a run: a module may rightly take longer
 * to import than its tasks take to run, and a loaded machine compiling a large `.ts` module,
 * or a module that opens connections at import, can take seconds. What it exists for is a
 * top-level await that never settles, which would otherwise hold its tasks, every later
 * one and `close()` for good.
 */
export const LOAD_TIMEOUT_MS = 30_000;

/**
 * Why a load that never ended failed; `then` says what became of the thread that tried.
 * `TaskNotFoundError` rather than `TaskError`: no code of the task ran and nothing threw;
 * the export could not be read, as for a missing one.
 */
export function notLoadedIn(ref: Task<unknown, unknown>, ms: number, then = ''): TaskNotFoundError {
  return new TaskNotFoundError(
    ref.moduleUrl,
    ref.exportName,
    `task module ${displayPath(ref.moduleUrl)} did not finish loading within ${ms} ms, so export '${ref.exportName}' could not be read (a top-level await that never settles?); ${then}make the module's top-level code finish`,
  );
}

/**
 * {@link loadTask} on the calling thread, where a module's import cannot be stopped: past
 * `ms` its tasks fail (see {@link notLoadedIn}); the import goes on, and a later call
 * waits for it again.
 */
export function loadTaskWithin(
  ref: Task<unknown, unknown>,
  ms = LOAD_TIMEOUT_MS,
): Promise<TaskFunction<unknown, unknown>> {
  let timer: NodeJS.Timeout | undefined;
  const tooLong = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(notLoadedIn(ref, ms)), ms);
  });
  return Promise.race([loadTask(ref), tooLong]).finally(() => clearTimeout(timer));
}

/**
 * The names a task reference may give for this module: its own function exports (and a
 * CommonJS module's, through `default`). Imports the module on first use.
 */
export async function listTasks(moduleUrl: string): Promise<string[]> {
  return functionExports(await importModule(task(moduleUrl)));
}

function importModule(ref: Task<unknown, unknown>): Promise<ModuleNamespace> {
  let loaded = modules.get(ref.moduleUrl);
  if (!loaded) {
    loaded = importByExtension(ref.moduleUrl).catch((error: unknown) => {
      throw explainImportFailure(ref, error);
    });
    modules.set(ref.moduleUrl, loaded);
    loaded.catch(() => modules.delete(ref.moduleUrl));
  }
  return loaded;
}

async function importByExtension(moduleUrl: string): Promise<ModuleNamespace> {
  if (!TYPESCRIPT_FILE.test(new URL(moduleUrl).pathname)) return import(moduleUrl);
  // Loaded lazily: plain JavaScript tasks should not pay for the TypeScript loader.
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(moduleUrl, import.meta.url);
}

function pickExport(
  ref: Task<unknown, unknown>,
  namespace: ModuleNamespace,
): TaskFunction<unknown, unknown> {
  const direct = namespace[ref.exportName];
  // A CommonJS module's exports may only be reachable through `default`.
  const viaDefault =
    direct === undefined && isObject(namespace.default)
      ? (namespace.default as ModuleNamespace)[ref.exportName]
      : undefined;
  const found = direct ?? viaDefault;
  if (typeof found === 'function') return found as TaskFunction<unknown, unknown>;

  const available = functionExports(namespace);
  const instead =
    available.length > 0 ? `it exports ${available.join(', ')}` : 'it exports no functions';
  const problem =
    found === undefined
      ? `module ${displayPath(ref.moduleUrl)} has no export named '${ref.exportName}'; ${instead}`
      : `export '${ref.exportName}' of ${displayPath(ref.moduleUrl)} is ${describeValue(found)}, not a function; ${instead}`;
  throw new TaskNotFoundError(ref.moduleUrl, ref.exportName, problem);
}

function explainImportFailure(ref: Task<unknown, unknown>, error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const path = displayPath(ref.moduleUrl);
  const missingItself =
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    (message.includes(path) || message.includes(ref.moduleUrl));
  if (missingItself) {
    return new TaskNotFoundError(
      ref.moduleUrl,
      undefined,
      `task module ${path} does not exist; build it first or fix the path (resolve it with new URL('./file.js', import.meta.url))`,
      { cause: error },
    );
  }
  return asTaskError(error, `module ${describeTask(ref)} failed to import:`);
}

function functionExports(namespace: ModuleNamespace): string[] {
  const names = new Set<string>();
  for (const [name, value] of Object.entries(namespace)) {
    if (typeof value === 'function') names.add(name);
  }
  if (isObject(namespace.default)) {
    for (const [name, value] of Object.entries(namespace.default as ModuleNamespace)) {
      if (typeof value === 'function') names.add(name);
    }
  }
  return [...names].sort();
}

function displayPath(moduleUrl: string): string {
  return moduleUrl.startsWith('file:') ? fileURLToPath(moduleUrl) : moduleUrl;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isObject(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

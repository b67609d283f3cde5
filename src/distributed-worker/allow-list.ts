/**
 * What a `switchyard worker` may run: the function exports of the modules it was started
 * with (`--tasks`), imported once at start, by the names they travel by (`task-name.ts`).
 * A job naming anything else — another module, a non-function export, a `data:` URL, a
 * builtin — matches nothing here, so nothing a job says is ever imported.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TaskNotFoundError } from '../core/errors.js';
import { type Task, task } from '../core/task.js';
import { moduleName, taskName } from '../runners/distributed/task-name.js';
import { listTasks } from '../task/loader.js';

/** Task name (`module#export`) → the local reference it runs. */
export type AllowList = ReadonlyMap<string, Task<unknown, unknown>>;

/** Imports each module and lists its function exports; rejects for a module that is missing or exports none. */
export async function allowList(modules: readonly string[]): Promise<AllowList> {
  if (modules.length === 0) {
    throw new TypeError('switchyard worker: give at least one task module with --tasks MODULE');
  }
  const allowed = new Map<string, Task<unknown, unknown>>();
  for (const module of modules) {
    const moduleUrl = toModuleUrl(module);
    const [names, name] = await Promise.all([listTasks(moduleUrl), moduleName(moduleUrl)]);
    if (names.length === 0) {
      throw new TaskNotFoundError(
        moduleUrl,
        undefined,
        `task module ${module} exports no functions`,
      );
    }
    for (const exportName of names)
      allowed.set(taskName(name, exportName), task(moduleUrl, exportName));
  }
  return allowed;
}

function toModuleUrl(module: string): string {
  if (/^[a-z][a-z0-9+.-]+:/i.test(module)) return new URL(module).href;
  return pathToFileURL(isAbsolute(module) ? module : resolve(module)).href;
}

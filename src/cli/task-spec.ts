/**
 * `MODULE[#EXPORT]` on the command line: a path (relative to the current directory) or a URL,
 * optionally followed by `#` and the export's name; without it the default export is used.
 */
import { resolve } from 'node:path';
import { type Task, task } from '../core/task.js';

const URL_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

export function parseTaskSpec(spec: string, cwd = process.cwd()): Task<unknown, unknown> {
  const hash = spec.lastIndexOf('#');
  const where = hash === -1 ? spec : spec.slice(0, hash);
  const exportName = hash === -1 ? 'default' : spec.slice(hash + 1);
  if (where === '' || exportName === '') {
    throw new TypeError(
      `task '${spec}' must be MODULE or MODULE#EXPORT, e.g. ./jobs.js#resize (without #EXPORT the default export is used)`,
    );
  }
  return task(URL_SCHEME.test(where) ? where : resolve(cwd, where), exportName);
}

/**
 * `MODULE[#EXPORT]` on the command line: a path (relative to the current directory) or a URL,
 * optionally followed by `#` and the export's name; without it the default export is used.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  checkModuleFile(where, cwd);
  return task(URL_SCHEME.test(where) ? where : resolve(cwd, where), exportName);
}

/**
 * Throws, in the words of the command line, when the task module `where` (a path as typed,
 * or a `file:` URL) is no file: the loader's own message is meant for code that builds
 * module URLs, not for someone typing a path.
 */
export function checkModuleFile(where: string, cwd = process.cwd()): void {
  const isUrl = URL_SCHEME.test(where);
  if (isUrl && !where.startsWith('file:')) return;
  let path: string;
  try {
    path = isUrl ? fileURLToPath(where) : resolve(cwd, where);
  } catch {
    return; // not a usable file: URL; the loader says why
  }
  const kind = kindOf(path);
  if (kind === 'folder') {
    throw new TypeError(
      `task module ${where} is a folder, not a file; name the module file in it, such as ${where.replace(/[\\/]+$/, '')}/index.js`,
    );
  }
  if (kind !== 'missing') return;
  const lookedFor =
    isUrl || path === where
      ? ''
      : ` (no file at ${path}; a relative path starts from the current directory)`;
  throw new TypeError(
    `task module ${where} does not exist${lookedFor}; check the path, or build the module first`,
  );
}

function kindOf(path: string): 'file' | 'folder' | 'missing' | 'unknown' {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) return 'missing';
    return stats.isDirectory() ? 'folder' : 'file';
  } catch (error) {
    // Under a file (ENOTDIR) nothing can exist; not allowed to look (EACCES): the loader says.
    return (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'missing' : 'unknown';
  }
}

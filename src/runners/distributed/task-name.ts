/**
 * The names distributed tasks travel by. A task reference holds an absolute module URL,
 * which differs from machine to machine (`/home/ci/app/dist/jobs.js` here,
 * `/srv/app/dist/jobs.js` on a worker). On the wire a module is named instead by its
 * package and its path inside the package — `my-app/dist/jobs.js` — found from the nearest
 * `package.json` that has a `name`, so the caller and every `switchyard worker` agree
 * wherever each is deployed. A task is that name, `#`, and the export: `my-app/dist/jobs.js#resize`.
 *
 * A module outside any named package, or not on disk (`https:`, `data:`), keeps its URL as
 * its name: it then matches only a worker that has it at the very same place.
 */
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtin } from '../../core/builtins.js';

const fs = builtin<typeof import('node:fs/promises')>('node:fs/promises');

/** A named package: its `name` and the directory its `package.json` is in. */
export interface PackageRoot {
  readonly name: string;
  readonly dir: string;
}

/** The package each directory belongs to, as found (`undefined`: none), shared by every lookup. */
const packages = new Map<string, Promise<PackageRoot | undefined>>();

/** The name the module at `moduleUrl` travels by (see the module comment). */
export async function moduleName(moduleUrl: string): Promise<string> {
  if (!moduleUrl.startsWith('file:')) return moduleUrl;
  const file = fileURLToPath(moduleUrl);
  const root = await packageOf(dirname(file));
  return root ? nameInPackage(root, file) : moduleUrl;
}

/**
 * `name/path/inside/the/package` for a file under `root.dir`, with `/` whatever the
 * platform's separator, so a Windows worker and a Linux caller agree.
 */
export function nameInPackage(root: PackageRoot, file: string): string {
  const inside = relative(root.dir, file).split(sep).join(posix.sep);
  return `${root.name}/${inside}`;
}

/** A task's name on the wire: its module's name and its export. */
export function taskName(module: string, exportName: string): string {
  return `${module}#${exportName}`;
}

/** The module part of a {@link taskName}: an export name never contains `#`, a URL may. */
export function moduleOf(name: string): string {
  return name.slice(0, name.lastIndexOf('#'));
}

/** The nearest enclosing package with a `name`; a nameless or unreadable `package.json` is passed over. */
function packageOf(dir: string): Promise<PackageRoot | undefined> {
  let found = packages.get(dir);
  if (!found) {
    found = readName(join(dir, 'package.json')).then((name) => {
      if (name !== undefined) return { name, dir };
      const parent = dirname(dir);
      return parent === dir ? undefined : packageOf(parent);
    });
    packages.set(dir, found);
  }
  return found;
}

async function readName(packageJson: string): Promise<string | undefined> {
  try {
    const { name } = JSON.parse(await fs().readFile(packageJson, 'utf8')) as { name?: unknown };
    return typeof name === 'string' && name.length > 0 ? name : undefined;
  } catch {
    return undefined;
  }
}

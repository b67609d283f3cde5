/**
 * Where the worker program is, and the Node flags a worker starts with. Run from `dist/`,
 * the worker is plain JavaScript and starts bare: TypeScript loader flags the caller runs
 * under (`--import tsx`) are dropped, since the module loader imports `.ts` tasks by
 * itself. Run from source (tests, `node --import tsx`), the worker is `main.ts` and needs tsx.
 */

/** True when switchyard itself runs from its TypeScript sources. */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The worker program. */
export const WORKER_MAIN = new URL(`../worker/main.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);

const LOADER_FLAGS = new Set(['--import', '--loader', '--experimental-loader', '--require', '-r']);
const TSX = /^tsx(?:\/|$)|[\\/]node_modules[\\/]tsx[\\/]/;

/** The caller's `execArgv` without TypeScript loader flags, plus `extra`. */
export function workerExecArgv(extra: readonly string[] = []): string[] {
  const kept: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = splitFlag(arg);
    if (LOADER_FLAGS.has(flag)) {
      const value = inline ?? argv[i + 1] ?? '';
      if (inline === undefined) i++;
      if (TSX.test(value)) continue;
      kept.push(flag, value);
      continue;
    }
    kept.push(arg);
  }
  return [...kept, ...extra];
}

/** The URL of tsx's loader, for a child process started from source. */
export function tsxLoaderUrl(): string {
  return import.meta.resolve('tsx');
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

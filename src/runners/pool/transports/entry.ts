/**
 * Where the worker program is, and the Node flags a worker starts with. Run from `dist/`,
 * the worker is plain JavaScript and starts bare: TypeScript loader flags the caller runs
 * under (`--import tsx`) are dropped, since the module loader imports `.ts` tasks by
 * itself. Run from source (tests, `node --import tsx`), the worker program is bundled once
 * into one JavaScript file with esbuild (tsx's own compiler), so that each worker starts
 * as fast as from `dist/` instead of compiling its sources through a loader.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** True when switchyard itself runs from its TypeScript sources. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

let bundled: URL | undefined;

/** The worker program. */
export function workerMain(): URL {
  if (!FROM_SOURCE) return new URL('../worker/main.js', import.meta.url);
  bundled ??= bundleFromSource();
  return bundled;
}

const LOADER_FLAGS = new Set(['--import', '--loader', '--experimental-loader', '--require', '-r']);
const TSX = /^tsx(?:\/|$)|[\\/]node_modules[\\/]tsx[\\/]/;
/**
 * Flags about the caller's own entry point (`node --input-type=module -e …`, `--watch`):
 * a worker given them would run the caller's script, or misread its own.
 */
const ENTRY_FLAGS = new Set(['-e', '--eval', '-p', '--print', '--input-type', '--watch-path']);
const ENTRY_SWITCHES = new Set(['-i', '--interactive', '-c', '--check', '--watch', '--test']);

/** The caller's `execArgv` without TypeScript loader flags or entry-point flags, plus `extra`. */
export function workerExecArgv(extra: readonly string[] = []): string[] {
  const kept: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = splitFlag(arg);
    if (ENTRY_SWITCHES.has(arg)) continue;
    if (ENTRY_FLAGS.has(flag)) {
      if (inline === undefined) i++;
      continue;
    }
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

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

/**
 * Bundles `worker/main.ts` into `node_modules/.cache/switchyard/`, named by its content so
 * that concurrent test processes share one file (written atomically). tsx stays external:
 * the bundle imports it from the package's own `node_modules` only for a `.ts` task.
 */
function bundleFromSource(): URL {
  const require = createRequire(import.meta.url);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const { outputFiles } = esbuild.buildSync({
    entryPoints: [fileURLToPath(new URL('../worker/main.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    external: ['tsx', 'tsx/*'],
  });
  const code = outputFiles[0]!.text;
  const dir = fileURLToPath(
    new URL('../../../../node_modules/.cache/switchyard/', import.meta.url),
  );
  const file = join(dir, `worker-${contentHash(code)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return pathToFileURL(file);
}

/** FNV-1a over the code: enough to tell bundles apart, without loading `node:crypto` into every program. */
function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return `${(hash >>> 0).toString(16)}-${text.length}`;
}

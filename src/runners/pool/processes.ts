/**
 * `processes` — multiprocessing: the pool core over child processes. CPU-bound work that
 * needs isolation: native code that may crash, memory caps, separate heaps.
 */
import { readFileSync } from 'node:fs';
import type { PoolOptions } from '../../core/options.js';
import type { Runner } from '../../core/runner.js';
import { poolRunner } from './runner.js';
import { processTransport } from './transports/process.js';

export function processesRunner(options: PoolOptions): Runner<unknown> {
  checkStackSize(options.resourceLimits?.stackSizeMb);
  return poolRunner('processes', processTransport, options) as Runner<unknown>;
}

/**
 * A child process runs JavaScript on its main thread, whose stack the system caps
 * (`ulimit -s`, 8 MB by default on Linux). `stackSizeMb` there only tells V8 how deep it may
 * go: at or past the system's cap, a deep recursion crashes the process (SIGSEGV) instead of
 * throwing `RangeError: Maximum call stack size exceeded`. Worker threads get a stack of the
 * size asked, so `threads` has no such bound.
 */
function checkStackSize(stackSizeMb: number | undefined): void {
  const systemMb = systemStackMb();
  if (stackSizeMb === undefined || systemMb === undefined) return;
  // V8 needs room below the cap for the frames of native code it calls.
  const most = systemMb - 1;
  if (stackSizeMb <= most) return;
  throw new RangeError(
    `createExecutor(): option 'resourceLimits.stackSizeMb' (${stackSizeMb}) is too large for mode 'processes' here: a child process's stack is capped at ${systemMb} MB by the system (ulimit -s), and a deep recursion past ${most} MB would crash it instead of throwing; use at most ${most}, raise the cap with ulimit -s, or use mode 'threads', whose workers get the stack they ask for`,
  );
}

/** Read once: the cap is the process's, and executors are created often in some programs. */
let stackCap: { readonly mb: number | undefined } | undefined;

/** The soft cap on a process's stack in MB (Linux: `/proc/self/limits`); `undefined` when unknown or unlimited. */
function systemStackMb(): number | undefined {
  stackCap ??= { mb: readStackCapMb() };
  return stackCap.mb;
}

function readStackCapMb(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max stack size'));
    const soft = line?.slice('Max stack size'.length).trim().split(/\s+/)[0];
    const bytes = Number(soft);
    return Number.isFinite(bytes) && bytes > 0 ? Math.floor(bytes / (1024 * 1024)) : undefined;
  } catch {
    return undefined;
  }
}

import { checkExecutorOptions } from '../core/check-options.js';
import { DEFAULTS } from '../core/defaults.js';
import type { ExecutorOptions } from '../core/options.js';
import type { Runner } from '../core/runner.js';
import { type Executor, MODES } from '../core/types.js';
import { AutoRunner } from '../runners/auto/auto.js';
import { distributedRunner } from '../runners/distributed/runner.js';
import { eventLoopRunner } from '../runners/loop/loop.js';
import { processesRunner } from '../runners/pool/processes.js';
import { threadsRunner } from '../runners/pool/threads.js';
import { ExecutorFront } from './front.js';

/**
 * @deprecated Every mode is available; use {@link MODES}. Kept so that programs importing
 * it keep working.
 */
export const AVAILABLE_MODES = MODES;

/**
 * Creates an executor for the chosen concurrency model. Every mode has the same methods;
 * the options a mode takes are typed per mode (see {@link ExecutorOptions}).
 *
 * @example
 * await using ex = createExecutor({ mode: 'loop', concurrency: 100 });
 * for await (const page of ex.map(download, urls)) save(page);
 */
export function createExecutor(options: ExecutorOptions): Executor {
  const opts = checkExecutorOptions(options);
  return new ExecutorFront(createRunner(opts), opts);
}

/** The runner of a mode: what `createExecutor` wraps, and what `auto` hands work to once it has decided. */
function createRunner(opts: ExecutorOptions): Runner {
  switch (opts.mode) {
    case 'sync':
      return eventLoopRunner('sync', 1, opts.maxQueue);
    case 'loop':
      return eventLoopRunner('loop', opts.concurrency ?? DEFAULTS.loopConcurrency, opts.maxQueue);
    case 'threads':
      return threadsRunner(opts);
    case 'processes':
      return processesRunner(opts);
    case 'distributed':
      return distributedRunner(opts);
    case 'auto':
      return new AutoRunner(opts, createRunner, MODES);
  }
}

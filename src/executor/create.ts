import { checkExecutorOptions, type ExecutorOptions } from '../core/options.js';
import type { Runner } from '../core/runner.js';
import type { Executor, Mode } from '../core/types.js';
import { AutoRunner } from '../runners/auto/auto.js';
import { distributedRunner } from '../runners/distributed/runner.js';
import { eventLoopRunner, LOOP_CONCURRENCY } from '../runners/loop/loop.js';
import { processesRunner } from '../runners/pool/processes.js';
import { threadsRunner } from '../runners/pool/threads.js';
import { ExecutorFront } from './front.js';

/** Modes this build can run; the others are on the roadmap in the README. */
export const AVAILABLE_MODES: readonly Mode[] = [
  'sync',
  'loop',
  'threads',
  'processes',
  'distributed',
  'auto',
];

/**
 * Creates an executor for the chosen concurrency model. Every mode has the same methods.
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
      return eventLoopRunner('sync', 1);
    case 'loop':
      return eventLoopRunner('loop', opts.concurrency ?? LOOP_CONCURRENCY);
    case 'threads':
      return threadsRunner(opts);
    case 'processes':
      return processesRunner(opts);
    case 'distributed':
      return distributedRunner(opts);
    case 'auto':
      return new AutoRunner(opts, createRunner, AVAILABLE_MODES);
    default:
      throw new RangeError(
        `createExecutor(): mode '${opts.mode}' is not built yet in this version of switchyard; available now: ${AVAILABLE_MODES.join(', ')}`,
      );
  }
}

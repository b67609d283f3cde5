import { checkExecutorOptions, type ExecutorOptions } from '../options.js';
import { distributedExecutor } from './distributed.js';
import { ExecutorFront } from './front.js';
import { eventLoopRunner, LOOP_CONCURRENCY } from './loop.js';
import { processesRunner } from './processes.js';
import { threadsRunner } from './threads.js';
import type { Executor, Mode } from './types.js';

/** Modes this build can run; the others are on the roadmap in the README. */
export const AVAILABLE_MODES: readonly Mode[] = [
  'sync',
  'loop',
  'threads',
  'processes',
  'distributed',
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
  switch (opts.mode) {
    case 'sync':
      return new ExecutorFront(eventLoopRunner('sync', 1), opts);
    case 'loop':
      return new ExecutorFront(eventLoopRunner('loop', opts.concurrency ?? LOOP_CONCURRENCY), opts);
    case 'threads':
      return new ExecutorFront(threadsRunner(opts), opts);
    case 'processes':
      return new ExecutorFront(processesRunner(opts), opts);
    case 'distributed':
      return distributedExecutor(opts);
    default:
      throw new RangeError(
        `createExecutor(): mode '${opts.mode}' is not built yet in this version of switchyard; available now: ${AVAILABLE_MODES.join(', ')}`,
      );
  }
}

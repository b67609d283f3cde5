/**
 * `threads` — pre-emptive multitasking in parallel: the pool core over worker threads.
 * CPU-bound work; with `tasksPerWorker > 1`, mixed work (each thread runs an event loop).
 */
import type { PoolOptions } from '../../core/options.js';
import type { Runner } from '../../core/runner.js';
import { poolRunner } from './runner.js';
import { threadTransport } from './transports/thread.js';

export function threadsRunner(options: PoolOptions): Runner<unknown> {
  return poolRunner('threads', threadTransport, options) as Runner<unknown>;
}

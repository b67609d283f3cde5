/**
 * `threads` — pre-emptive multitasking in parallel: the pool core over worker threads.
 * CPU-bound work; with `tasksPerWorker > 1`, mixed work (each thread runs an event loop).
 */
import type { ExecutorOptions } from '../options.js';
import { poolRunner } from '../pool/runner.js';
import { threadTransport } from '../pool/transports/thread.js';
import type { Runner } from './runner.js';

export function threadsRunner(options: ExecutorOptions): Runner<unknown> {
  return poolRunner('threads', threadTransport, options) as Runner<unknown>;
}

/**
 * `processes` — multiprocessing: the pool core over child processes. CPU-bound work that
 * needs isolation: native code that may crash, memory caps, separate heaps.
 */
import type { PoolOptions } from '../../core/options.js';
import type { Runner } from '../../core/runner.js';
import { poolRunner } from './runner.js';
import { processTransport } from './transports/process.js';

export function processesRunner(options: PoolOptions): Runner<unknown> {
  return poolRunner('processes', processTransport, options) as Runner<unknown>;
}

/**
 * `processes` — multiprocessing: the pool core over child processes. CPU-bound work that
 * needs isolation: native code that may crash, memory caps, separate heaps.
 */
import type { ExecutorOptions } from '../options.js';
import { poolRunner } from '../pool/runner.js';
import { processTransport } from '../pool/transports/process.js';
import type { Runner } from './runner.js';

export function processesRunner(options: ExecutorOptions): Runner<unknown> {
  return poolRunner('processes', processTransport, options) as Runner<unknown>;
}

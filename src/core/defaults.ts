/**
 * Every default of `createExecutor`'s options, defined once. The options' documentation
 * links here instead of restating the numbers, and every runner reads them from here.
 */
import { defaultPoolSize } from './cpus.js';

export const DEFAULTS = Object.freeze({
  /**
   * `loop`: most tasks in flight at once. High enough to overlap many I/O waits, low
   * enough not to flood one server with connections.
   */
  loopConcurrency: 64,
  /** `distributed`: most tasks in flight at once; enough to keep a cluster busy, bounded for memory. */
  distributedConcurrency: 4_096,
  /** `threads`/`processes`: tasks one worker runs at once. */
  tasksPerWorker: 1,
  /** Re-runs of a task after its worker crashed. */
  retries: 0,
  /** Workers an idle pool keeps running. */
  minWorkers: 1,
  /** ms an idle worker above `minWorkers` waits before it stops. */
  idleTimeout: 30_000,
  /**
   * ms a task has, once its signal fired (timeout, cancel), to end by itself before its
   * worker is stopped and replaced.
   */
  stopGrace: 500,
  /** `distributed`: the queue name executors and `switchyard worker` share. */
  queue: 'switchyard',
  /** ms between two progress reports delivered from one task. */
  progressInterval: 50,
});

/**
 * Most workers a pool may have: each is a thread or a process with memory of its own (tens
 * of MB), so a few thousand exhaust an ordinary machine before any task runs (5,000 blocked
 * the calling thread for good while they started). Work that mostly waits needs no worker
 * per task: `loop` keeps thousands in flight on one thread.
 */
export const MAX_WORKERS = 1024;

/**
 * The default pool size of `threads` and `processes`: the CPUs this process may really use
 * (`os.availableParallelism()`, lowered by a cgroup CPU quota), rounded down, at least 1.
 */
export function defaultWorkers(): number {
  return defaultPoolSize();
}

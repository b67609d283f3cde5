/**
 * How many inputs go into one BullMQ job. Each job costs a few Redis round trips, so tiny
 * tasks are batched until a job carries about {@link TARGET_JOB_MS} of work; but while
 * fewer than {@link spreadOver} jobs are out, the waiting inputs are split so that every
 * worker in the cluster gets a share (a lone giant job would leave the others idle).
 */
import { MAX_CHUNK } from './protocol.js';

/** Work one job should carry once the task's cost is known. */
export const TARGET_JOB_MS = 50;
/** Jobs kept out at once, at least, when there are inputs enough: room for several machines. */
export const SPREAD = 8;

/**
 * Jobs to keep out for a cluster of `workers` worker processes: two each (one to run, one
 * to take next, so none waits at the end for a straggler's big share), and at least
 * {@link SPREAD} while the count is not known yet.
 */
export function spreadOver(workers: number): number {
  return Math.max(SPREAD, 2 * workers);
}

export class ChunkSizer {
  /** Smoothed wall ms per input, by task; absent until a first job of that task returns. */
  readonly #msPerInput = new Map<string, number>();

  /** Records a finished job: `ms` of worker wall time for `count` inputs. */
  observe(task: string, ms: number, count: number): void {
    const sample = Math.max(ms, 0.001) / count;
    const previous = this.#msPerInput.get(task);
    this.#msPerInput.set(task, previous === undefined ? sample : previous * 0.7 + sample * 0.3);
  }

  /**
   * Inputs for the next job of `task`, given how many are waiting to be sent, how many
   * jobs are already out, and how many worker processes serve the queue (0 if not known).
   */
  next(task: string, waiting: number, jobsOut: number, workers: number): number {
    const cost = this.#msPerInput.get(task);
    const byCost = cost === undefined ? MAX_CHUNK : Math.max(1, Math.floor(TARGET_JOB_MS / cost));
    const bySpread = Math.ceil(waiting / Math.max(1, spreadOver(workers) - jobsOut));
    return Math.max(1, Math.min(byCost, bySpread, MAX_CHUNK, waiting));
  }
}

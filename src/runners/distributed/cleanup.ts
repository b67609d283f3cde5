/**
 * What the executor tidies up in Redis once it is done with a job, off the path that
 * settles tasks and a batch at a time:
 * - a finished job whose result it has read is removed: Redis keeps finished jobs (see
 *   {@link KEEP_FINISHED}) only so that a result whose event was missed can still be read;
 * - a job whose tasks were all cancelled is removed if no worker has taken it yet, and its
 *   worker is told to abort it otherwise (the worker removes it once it ends).
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { cancelChannel } from './protocol.js';

/**
 * How long Redis keeps a finished job that no executor removed (an executor that died
 * before reading its results): an hour, and at most this many, oldest first. An executor
 * removes its jobs as it reads them, so this bounds the leftovers, not the work in flight.
 */
export const KEEP_FINISHED = Object.freeze({ age: 3_600, count: 100_000 });

export interface CleanupTarget {
  readonly queue: Queue;
  readonly commands: Redis;
  readonly queueName: string;
}

export class Cleanup {
  readonly #target: () => Promise<CleanupTarget> | undefined;
  readonly #consumed: string[] = [];
  readonly #abandoned: string[] = [];
  #running: Promise<void> | undefined;

  /** `target` gives the open connection, if any: with none there is nothing to tidy. */
  constructor(target: () => Promise<CleanupTarget> | undefined) {
    this.#target = target;
  }

  /** The executor has read the job's result. */
  consumed(jobId: string): void {
    this.#consumed.push(jobId);
    this.#schedule();
  }

  /** Every task of the job was cancelled. */
  abandoned(jobId: string): void {
    this.#abandoned.push(jobId);
    this.#schedule();
  }

  /** Resolves once everything asked for so far has been sent to Redis (or failed to be). */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #schedule(): void {
    this.#running ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#sweep())
      .finally(() => {
        this.#running = undefined;
        if (this.#consumed.length + this.#abandoned.length > 0) this.#schedule();
      });
  }

  async #sweep(): Promise<void> {
    const consumed = this.#consumed.splice(0);
    const abandoned = this.#abandoned.splice(0);
    const target = await this.#target()?.catch(() => undefined);
    if (!target) return;
    const { queue, commands, queueName } = target;
    await Promise.all([
      ...consumed.map((jobId) => queue.remove(jobId).catch(noop)),
      ...abandoned.map(async (jobId) => {
        // A job a worker holds cannot be removed: that worker is told to stop it instead.
        const removed = await queue.remove(jobId).catch(() => 0);
        if (removed !== 1) await commands.publish(cancelChannel(queueName), jobId).catch(noop);
      }),
    ]);
  }
}

function noop(): void {}

/**
 * Reconciliation: no job is left to the event stream alone. The executor learns results
 * from BullMQ's event stream, but Redis trims that stream (to about
 * `streams.events.maxLen` entries, 10,000 by default) whether or not anyone has read it:
 * an executor that reads too slowly — its event loop blocked, several executors sharing a
 * queue — misses events for good. And a Redis restarted without persistence forgets its
 * jobs without a single event.
 *
 * So a job that has not been heard of for {@link QUIET_MS} is looked up in Redis itself
 * ({@link probeJobs}): finished, its result is read back from the job (kept until the
 * executor has read it); gone, its tasks are lost. While it is still in flight it is
 * looked up again, each time after twice the silence, up to {@link MAX_QUIET_MS}, so long
 * tasks cost few look-ups — and every job, whatever happens, is settled within about
 * {@link MAX_QUIET_MS} of its end. Every job is looked up at once, rather than when its turn
 * comes, when events are known to be lost: after a connection outage, and when the stream
 * was trimmed past what the executor had read (at most once per {@link QUIET_MS}).
 */
import type { JobStatus } from './probe.js';

/** Silence after which a job is looked up in Redis. */
export const QUIET_MS = 2_000;
/** Longest silence allowed between two look-ups of a job still in flight. */
export const MAX_QUIET_MS = 16_000;
/** How often the reconciler looks for jobs due. */
export const TICK_MS = 500;
/** Most jobs looked up in one round trip. */
export const PROBE_BATCH = 1_000;

/** A job's place in the reconciler's schedule, kept on the job's own record. */
export interface Watched {
  /** When to look the job up (`performance.now()` ms), unless an event comes first. */
  checkAt: number;
  /** The silence allowed before the next look-up. */
  quiet: number;
}

export interface ReconcilerHooks<J extends Watched> {
  /** The jobs awaited now; a job not in it any more is not reported. */
  readonly jobs: ReadonlyMap<string, J>;
  /** Looks the jobs up in Redis. */
  probe(ids: readonly string[]): Promise<JobStatus[]>;
  /** A job found finished or missing. */
  found(jobId: string, status: Exclude<JobStatus, { state: 'pending' }>): void;
  /** True when events were trimmed before they were read: every job is then looked up. */
  eventsMissed?(): Promise<boolean>;
}

export class Reconciler<J extends Watched> {
  readonly #hooks: ReconcilerHooks<J>;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #missedAt = Number.NEGATIVE_INFINITY;

  constructor(hooks: ReconcilerHooks<J>) {
    this.#hooks = hooks;
  }

  /** A job was heard of (added, or any event): it is looked up only after {@link QUIET_MS} more. */
  static heard(job: Watched, now = performance.now()): void {
    job.quiet = QUIET_MS;
    job.checkAt = now + QUIET_MS;
  }

  /** Starts looking up jobs due; the timer does not keep the process alive. */
  start(): void {
    this.#timer ??= setInterval(() => this.tick(), TICK_MS).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Events may have been missed: every job is looked up now. */
  checkAll(): void {
    this.#markAllDue();
    this.tick();
  }

  /**
   * One round: looks up the jobs due, a batch at a time. A round still waiting for Redis
   * holds back the next; one that fails (Redis down — the connection watchdog reports
   * that) leaves its jobs due. Resolves when the round is over.
   */
  tick(now = performance.now()): Promise<void> {
    if (this.#busy) return Promise.resolve();
    this.#busy = true;
    return this.#round(now)
      .catch(() => {})
      .finally(() => {
        this.#busy = false;
      });
  }

  async #round(now: number): Promise<void> {
    const { jobs, eventsMissed } = this.#hooks;
    if (jobs.size === 0) return;
    if (eventsMissed && now - this.#missedAt >= QUIET_MS && (await eventsMissed())) {
      this.#missedAt = now;
      this.#markAllDue();
    }
    const due: [string, J][] = [];
    for (const entry of jobs) {
      if (entry[1].checkAt <= now) due.push(entry);
      if (due.length === PROBE_BATCH) break;
    }
    if (due.length === 0) return;
    const statuses = await this.#hooks.probe(due.map(([id]) => id));
    due.forEach(([id, job], index) => {
      const status = statuses[index];
      // Settled meanwhile by an event: what the look-up saw is stale.
      if (!status || jobs.get(id) !== job) return;
      if (status.state === 'pending') {
        job.quiet = Math.min(job.quiet * 2, MAX_QUIET_MS);
        job.checkAt = now + job.quiet;
      } else {
        this.#hooks.found(id, status);
      }
    });
  }

  /** Every job added to Redis is due (one not added yet cannot be looked up). */
  #markAllDue(): void {
    for (const job of this.#hooks.jobs.values()) {
      if (job.checkAt !== Number.POSITIVE_INFINITY) job.checkAt = 0;
    }
  }
}

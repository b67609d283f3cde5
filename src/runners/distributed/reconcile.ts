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
 * {@link MAX_QUIET_MS} of its end. After a connection outage every job is looked up at once.
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
  found(jobId: string, job: J, status: Exclude<JobStatus, { state: 'pending' }>): void;
}

export class Reconciler<J extends Watched> {
  readonly #hooks: ReconcilerHooks<J>;
  #timer: NodeJS.Timeout | undefined;
  #probing = false;

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

  /** After an outage: every job is looked up now. */
  checkAll(): void {
    for (const job of this.#hooks.jobs.values()) {
      if (job.checkAt !== Number.POSITIVE_INFINITY) job.checkAt = 0;
    }
    this.tick();
  }

  /** Looks up the jobs due, one batch at a time (a look-up waiting for Redis holds the next). */
  tick(now = performance.now()): void {
    if (this.#probing) return;
    const due: [string, J][] = [];
    for (const entry of this.#hooks.jobs) {
      if (entry[1].checkAt <= now) due.push(entry);
      if (due.length === PROBE_BATCH) break;
    }
    if (due.length === 0) return;
    this.#probing = true;
    this.#hooks
      .probe(due.map(([id]) => id))
      .then(
        (statuses) => this.#report(due, statuses, now),
        () => {}, // Redis is down: the connection watchdog reports it; the jobs stay due.
      )
      .finally(() => {
        this.#probing = false;
      });
  }

  /** What the look-up made at `now` found. */
  #report(due: readonly [string, J][], statuses: readonly JobStatus[], now: number): void {
    due.forEach(([id, job], index) => {
      const status = statuses[index];
      // Settled meanwhile by an event: what the look-up saw is stale.
      if (!status || this.#hooks.jobs.get(id) !== job) return;
      if (status.state === 'pending') {
        job.quiet = Math.min(job.quiet * 2, MAX_QUIET_MS);
        job.checkAt = now + job.quiet;
      } else {
        this.#hooks.found(id, job, status);
      }
    });
  }
}

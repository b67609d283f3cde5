/**
 * How a pool stops a job before it ends on its own: its controller aborted (the caller's
 * signal, its map stopping, the executor closing), its timeout ran out, or the pool closed.
 * The caller is answered at once; a queued job just leaves the line, a dispatched one is
 * told to stop (its `ctx.signal` fires), and a running task that ignores its signal has its
 * worker stopped after the grace period; that death is nobody's crash.
 *
 * A task's timeout clock covers its own run only. A job with a timeout is *watched*: its
 * worker announces the moment it starts it, and sends its answer at once; the clock starts
 * when the pool hears the start — never while the job waits in the line, in a busy worker,
 * or behind a worker's start-up or the loading of its module. When the clock runs out the
 * job is answered with `TimeoutError`.
 */
import { TimeoutError } from '../../core/errors.js';
import { toWire } from '../../core/wire.js';
import { abortError, onAbort } from '../../primitives/abort.js';
import type { Crew } from './crew.js';
import type { Job } from './job.js';

export interface CancelSettings {
  /** ms between a task's signal firing (timeout, cancel) and its worker being stopped. */
  readonly grace: number;
}

export class Canceller {
  readonly #settings: CancelSettings;
  readonly #jobs: ReadonlyMap<number, Job>;
  readonly #crew: Crew;
  readonly #unqueue: (job: Job) => void;
  /** Controllers {@link watch} listens to. */
  readonly #watched = new WeakSet<AbortController>();

  /**
   * @param settings read when a grace period starts
   * @param jobs the pool's live jobs, by id: those an aborted controller governs are among them
   * @param crew the pool's workers, one of which is stopped when its task ignores its signal
   * @param unqueue takes a job cancelled while queued out of the pool's line, for good
   */
  constructor(
    settings: CancelSettings,
    jobs: ReadonlyMap<number, Job>,
    crew: Crew,
    unqueue: (job: Job) => void,
  ) {
    this.#settings = settings;
    this.#jobs = jobs;
    this.#crew = crew;
    this.#unqueue = unqueue;
  }

  /**
   * Listens to a job's controller, once per controller: many jobs share one (a map's, the
   * executor's), and a listener per job cost each `submit` three objects. When it aborts,
   * which is rare, the jobs it governs are found by a walk over the live ones.
   */
  watch(controller: AbortController): void {
    if (this.#watched.has(controller)) return;
    this.#watched.add(controller);
    onAbort(controller, () => {
      for (const job of [...this.#jobs.values()]) {
        if (job.controller === controller) this.cancel(job, abortError(controller));
      }
    });
  }

  /** Starts a watched job's timeout clock, when its worker says it started; its expiry cancels the job. */
  startClock(job: Job): void {
    const { timeout } = job;
    if (timeout === undefined || job.answered) return;
    job.timer = setTimeout(
      () => this.cancel(job, new TimeoutError(timeout, `task ${job.task.name}`)),
      timeout,
    );
  }

  /** Answers the caller with `error`; a queued job leaves the line, a dispatched one gets its signal. */
  cancel(job: Job, error: Error): void {
    if (job.answered) return;
    job.fail(error);
    if (job.state === 'queued') {
      this.#unqueue(job);
      return;
    }
    job.slot!.post({ kind: 'cancel', jobId: job.id, reason: toWire(error) });
    if (job.state === 'running') this.stopAfterGrace(job);
  }

  /** A job told to stop gets `grace` ms to answer; then its worker is stopped and replaced. */
  stopAfterGrace(job: Job): void {
    clearTimeout(job.timer);
    job.timer = setTimeout(() => {
      const { slot } = job;
      if (slot && job.state === 'running')
        this.#crew.stop(slot, `stopped because task ${job.task.name} ignored its signal`);
    }, this.#settings.grace);
  }
}

/**
 * The jobs an executor has sent and still awaits, and how their tasks settle from what
 * comes back — whether it comes from the event stream or from a look-up in Redis
 * (`reconcile.ts`): streamed outcomes, the job's result, its failure, or its loss. Each
 * task settles once: whatever arrives twice (a result streamed and then returned, a job
 * run again after its worker died) finds it settled and changes nothing.
 */
import {
  JobFailedError,
  type RedisConnectionError,
  TaskLostError,
  toError,
} from '../../core/errors.js';
import type { TaskRun } from '../../core/runner.js';
import { fromWire } from '../../core/wire.js';
import type { Release } from '../../primitives/semaphore.js';
import type { ChunkResult, Outcome } from './protocol.js';
import { decodeArray } from './protocol.js';
import { Reconciler, type Watched } from './reconcile.js';

/** One task, from `run` until it settles — once: later calls to {@link settle} do nothing. */
export class Entry {
  settled = false;
  /** The job carrying it, once sent. */
  job: SentJob | undefined;
  /** Detaches its abort listener. */
  detach: () => void = noop;
  readonly run: TaskRun;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (error: Error) => void;
  /** Gives back its concurrency slot. */
  readonly #release: Release;
  readonly #onSettled: (entry: Entry) => void;

  constructor(
    run: TaskRun,
    settle: { resolve: (value: unknown) => void; reject: (error: Error) => void },
    release: Release,
    onSettled: (entry: Entry) => void,
  ) {
    this.run = run;
    this.#resolve = settle.resolve;
    this.#reject = settle.reject;
    this.#release = release;
    this.#onSettled = onSettled;
  }

  /** Settles it once; `onSettled` and the run's `ended` hear of it before anyone else can. */
  settle(error: Error | undefined, value?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    this.#onSettled(this);
    if (error) this.run.ended(0, 1);
    else this.run.ended(1, 0);
    this.#release();
    if (error) this.#reject(error);
    else this.#resolve(value);
  }
}

/** A job in the queue and the tasks it carries, in input order. */
export interface SentJob extends Watched {
  readonly id: string;
  /** The task, as the chunk sizer knows it. */
  readonly task: string;
  readonly entries: readonly Entry[];
  /** A worker runs it (as far as the events said). */
  active: boolean;
  /** Redis's `run_id` when the job was added; `undefined` until then. */
  runId: string | undefined;
}

/** What the table reports besides settling tasks. */
export interface SentJobsHooks {
  /** A job's result was read: `ms` of worker time for its `count` inputs, after `attempts`. */
  readonly measured: (task: string, ms: number, count: number, attempt: number) => void;
  /** The job is done with: its tasks are settled and it may be removed from Redis. */
  readonly finished: (jobId: string) => void;
}

export class SentJobs {
  readonly #jobs = new Map<string, SentJob>();
  readonly #hooks: SentJobsHooks;

  constructor(hooks: SentJobsHooks) {
    this.#hooks = hooks;
  }

  /** The jobs awaited, by id: what the reconciler looks up. */
  get byId(): ReadonlyMap<string, SentJob> {
    return this.#jobs;
  }

  get size(): number {
    return this.#jobs.size;
  }

  /** Registers a job before it is added (its events may come first); not looked up until {@link added}. */
  register(jobId: string, task: string, entries: readonly Entry[]): void {
    const job: SentJob = {
      id: jobId,
      task,
      entries,
      active: false,
      runId: undefined,
      checkAt: Number.POSITIVE_INFINITY,
      quiet: 0,
    };
    for (const entry of entries) entry.job = job;
    this.#jobs.set(jobId, job);
  }

  /** Redis accepted the job: from now on, silence about it is looked into. */
  added(jobId: string, runId: string): void {
    const job = this.#jobs.get(jobId);
    if (!job) return;
    job.runId = runId;
    Reconciler.heard(job);
  }

  /** An event about the job. */
  heard(jobId: string): SentJob | undefined {
    const job = this.#jobs.get(jobId);
    if (job) Reconciler.heard(job);
    return job;
  }

  /** A worker took the job (`true`) or lost it when its process died (`false`). */
  mark(jobId: string, active: boolean): boolean {
    const job = this.heard(jobId);
    if (job) job.active = active;
    return job !== undefined;
  }

  /** Outcomes streamed while the rest of the job runs. */
  streamed(jobId: string, encoded: string): void {
    const job = this.heard(jobId);
    if (job) settleOutcomes(job, encoded);
  }

  completed(jobId: string, result: unknown): void {
    const job = this.#take(jobId);
    if (!job) return;
    const { outcomes, ms, attempt } = (result ?? {}) as Partial<ChunkResult>;
    const settled = settleOutcomes(job, outcomes);
    if (settled && typeof ms === 'number') {
      this.#hooks.measured(job.task, ms, settled.length, attempt ?? 1);
    }
    job.entries.forEach((entry, index) => {
      if (!settled?.[index]) {
        entry.settle(
          new JobFailedError(jobId, `the worker returned no outcome for input ${index}`),
        );
      }
    });
    this.#hooks.finished(jobId);
  }

  /** The job failed as a whole (a task's own failure is an outcome): its tasks fail with why. */
  failed(jobId: string, reason: string): void {
    this.fail(jobId, new JobFailedError(jobId, reason));
  }

  /** The job is gone from Redis with no result kept (says the Redis of `runIdNow`): its unsettled tasks are lost. */
  lost(jobId: string, runIdNow: string): void {
    const job = this.#take(jobId);
    if (!job) return;
    const detail =
      job.runId !== undefined && job.runId !== runIdNow
        ? 'Redis restarted after it was added and came back without it'
        : 'Redis has no record of it (not waiting, running or finished): it was removed, flushed, or evicted under maxmemory';
    this.fail(jobId, new TaskLostError(jobId, detail), job);
  }

  /** Settles every task of the job with `error` and forgets the job. */
  fail(jobId: string, error: Error, job = this.#take(jobId)): void {
    if (!job) return;
    for (const entry of job.entries) entry.settle(error);
    this.#hooks.finished(jobId);
  }

  /** Redis refused us or is gone: no job may wait for it. */
  failAll(error: RedisConnectionError): void {
    for (const jobId of [...this.#jobs.keys()]) this.fail(jobId, error);
  }

  /** Forgets a job whose every task has settled (cancelled) before it ended; `false` if some still wait. */
  abandon(job: SentJob): boolean {
    if (this.#jobs.get(job.id) !== job || !job.entries.every((entry) => entry.settled)) {
      return false;
    }
    this.#jobs.delete(job.id);
    return true;
  }

  /** Tasks not settled yet in the jobs a worker runs. */
  count(): { running: number } {
    let running = 0;
    for (const job of this.#jobs.values()) {
      if (!job.active) continue;
      for (const entry of job.entries) if (!entry.settled) running++;
    }
    return { running };
  }

  /** Removes a job from those awaited: the first outcome wins, later copies find nothing. */
  #take(jobId: string): SentJob | undefined {
    const job = this.#jobs.get(jobId);
    this.#jobs.delete(jobId);
    return job;
  }
}

/**
 * Settles the tasks of `job` that `encoded` (one entry per input; `undefined` or a hole for
 * those it does not carry) has outcomes for. Returns the outcomes, or `undefined` when they
 * cannot be read — then every task fails with why, rather than wait for them forever.
 */
function settleOutcomes(job: SentJob, encoded: unknown): (Outcome | undefined)[] | undefined {
  try {
    if (typeof encoded !== 'string') throw new TypeError('the job result carries no outcomes');
    const outcomes = decodeArray(encoded, 'outcomes') as (Outcome | undefined)[];
    outcomes.forEach((outcome, index) => {
      const entry = job.entries[index];
      if (!entry || !outcome) return;
      if (outcome.ok) entry.settle(undefined, outcome.value);
      else entry.settle(fromWire(outcome.error));
    });
    return outcomes;
  } catch (error) {
    for (const entry of job.entries) entry.settle(toError(error));
    return undefined;
  }
}

function noop(): void {}

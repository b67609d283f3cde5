/**
 * What a worker's death means for the jobs it had: who is to blame — the rule that lets
 * the input that killed a worker fail alone while everything else it had runs again — and
 * what becomes of each job.
 *
 * A worker marks the input it runs, from its call until its promise settles. A thread's
 * mark is in memory shared with the pool (see `transports/thread.ts`), read whatever killed
 * it. A process writes its mark to the pool as it ends itself (`process.exit()`, an uncaught
 * error), but a fatal signal or a memory cap gives it no chance to; it answers each job
 * before starting the next, though, so the job the pool's mirror has running is the one to
 * blame — and when that job is a chunk of several inputs, it is run again input by input,
 * each start announced (a *traced* run), so that if it kills a worker again the pool knows
 * which input did: that input has then run twice, retries or not.
 *
 * Whoever is blamed, the inputs of a chunk that had finished before the crash run again:
 * their outputs were still in the worker, and died with it. So do jobs a thread had
 * finished whose answers still waited in its outbox (see `worker/main.ts`). On a crash,
 * delivery is at least once for them.
 */
import { WorkerCrashedError } from '../../core/errors.js';
import type { Job } from './job.js';
import type { WorkerDeath } from './transport.js';

export type Verdict =
  /** This input killed the worker: it fails (or is retried); everything else runs again. */
  | { readonly kind: 'input'; readonly job: Job; readonly offset: number }
  /** One of this job's inputs did, but which is unknown: run it again, traced, blaming nobody. */
  | { readonly kind: 'trace'; readonly job: Job }
  /**
   * Several jobs ran at once (`tasksPerWorker` > 1) and none is named: each of them fails
   * as a whole, the price of sharing a worker.
   */
  | { readonly kind: 'all'; readonly jobs: readonly Job[] }
  /** No task is to blame: the pool stopped the worker, or it died with no task running. */
  | { readonly kind: 'none' };

const NONE: Verdict = { kind: 'none' };

/**
 * @param death how the worker ended, with the input it named, if its transport can name one
 * @param had the jobs the pool's mirror has in that worker, running or held, answered ones too
 * @param stopped the pool stopped the worker itself (idle, recycled, a task that ignored its
 *   signal, a load that never ended): its death is no task's doing
 * @param byId the pool's live jobs
 */
export function blame(
  death: WorkerDeath,
  had: readonly Job[],
  stopped: boolean,
  byId: (jobId: number) => Job | undefined,
): Verdict {
  if (stopped) return NONE;
  const named = death.running;
  if (named) {
    // The mirror may lag (answers batched in a thread): a job it holds may be the one that ran.
    const job = byId(named.jobId);
    return job && had.includes(job) ? { kind: 'input', job, offset: named.offset } : NONE;
  }
  const running = had.filter((job) => job.state === 'running');
  if (running.length === 0) return NONE;
  if (running.length > 1) return { kind: 'all', jobs: running };
  const job = running[0]!;
  if (job.inputs.length === 1) return { kind: 'input', job, offset: 0 };
  if (job.traced && job.at !== undefined) return { kind: 'input', job, offset: job.at };
  return { kind: 'trace', job };
}

/** What {@link settleAfterDeath} needs of the pool. */
export interface Line {
  /** Puts a job back in line. */
  enqueue(job: Job): void;
  /** Forgets a job that has its answer. */
  forget(job: Job): void;
  /** Puts a job blamed for a crash back in line if it has retries left (`retries`); says whether it did. */
  retry(job: Job): boolean;
}

/**
 * Answers or re-queues every job a dead worker had. With the pool closing, the unanswered
 * fail with the crash; otherwise the one to blame fails (or is retried), and the rest —
 * they had not started, or they had finished and their answers died with the worker — run
 * again.
 */
export function settleAfterDeath(
  had: readonly Job[],
  verdict: Verdict,
  crash: WorkerCrashedError,
  closing: boolean,
  line: Line,
): void {
  for (const job of had) {
    clearTimeout(job.timer);
    if (job.answered) line.forget(job);
    else if (closing) {
      line.forget(job);
      job.fail(crash);
    } else if (job.moved) {
      line.forget(job);
      job.fail(movedAway(crash));
    } else if (verdict.kind === 'input' && verdict.job === job)
      crashed(job, crash, line, verdict.offset);
    else if (verdict.kind === 'all' && verdict.jobs.includes(job)) crashed(job, crash, line);
    else {
      if (verdict.kind === 'trace' && verdict.job === job) job.traced = true;
      line.enqueue(job);
    }
  }
}

/**
 * The crash as told to a job whose input was moved to the dead worker: run again, by a
 * retry or beside the task to blame, it would get an emptied buffer and answer wrongly.
 */
function movedAway(crash: WorkerCrashedError): WorkerCrashedError {
  return new WorkerCrashedError(crash, undefined, {
    cause: crash,
    advice:
      'its input was moved to that worker with `transfer` and was lost with it, so it was not run again; to let `retries` re-run such a task, send it a copy (leave out `transfer`)',
  });
}

/**
 * `job` is blamed for its worker's death: the input at `offset`, or all of it. It runs
 * again while it has retries; else the blamed inputs fail with `crash`, and the rest of
 * the job goes back in line.
 */
function crashed(job: Job, crash: Error, line: Line, offset?: number): void {
  if (line.retry(job)) return;
  const failures = new Map<number, Error>();
  for (let i = 0; i < job.inputs.length; i++) {
    if (offset === undefined || i === offset) failures.set(i, crash);
  }
  if (job.drop(failures) === 'answered') line.forget(job);
  else line.enqueue(job);
}

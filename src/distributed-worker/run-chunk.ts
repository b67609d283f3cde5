/**
 * Runs one chunk job on the worker's local pool and tells the executor how each input
 * ended: as they settle, streamed as job progress; at the end, all of them, as the job's
 * result.
 */
import type { Job } from 'bullmq';
import { DEFAULTS } from '../core/defaults.js';
import { ERROR_CODES, WorkerCrashedError } from '../core/errors.js';
import { describeTask, type Task } from '../core/task.js';
import type { Executor } from '../core/types.js';
import { abortError } from '../primitives/abort.js';
import { sleep } from '../primitives/sleep.js';
import {
  type CheckedJob,
  type ChunkJob,
  type ChunkResult,
  decodeArray,
  encodeOutcomes,
  failure,
  type JobProgress,
  type Outcome,
  PROTOCOL_VERSION,
  toOutcome,
} from '../runners/distributed/protocol.js';

/** Outcomes of a chunk that settle within this many ms of each other go back in one message. */
export const STREAM_DELAY_MS = 20;

/** The job's result, telling every input's outcome. */
export function chunkResult(
  job: Job,
  outcomes: readonly (Outcome | undefined)[],
  startedAt: number,
): ChunkResult {
  return {
    v: PROTOCOL_VERSION,
    outcomes: encodeOutcomes(outcomes),
    ms: performance.now() - startedAt,
    attempt: job.attemptsMade + 1,
  };
}

/**
 * Runs the inputs of `data` not settled by an earlier attempt. A local worker crash with
 * attempts left throws (BullMQ retries the job, which then re-runs only the inputs that
 * crashed); a job whose worker processes kept dying fails its inputs with
 * `WorkerCrashedError` instead of running again. `ran` is called once every input has
 * run on the local pool, before what remains is to tell Redis.
 */
export async function runChunk(
  job: Job,
  data: CheckedJob,
  ref: Task<unknown, unknown>,
  local: Executor,
  signal: AbortSignal,
  ran: () => void = noop,
): Promise<ChunkResult> {
  const startedAt = performance.now();
  const outcomes: (Outcome | undefined)[] = new Array(data.count);
  if (data.done !== undefined) {
    (decodeArray(data.done, 'done') as (Outcome | undefined)[]).forEach((outcome, index) => {
      outcomes[index] = outcome;
    });
  }
  const todo = [...outcomes.keys()].filter((index) => outcomes[index] === undefined);
  const takeovers = job.stalledCounter;
  if (takeovers > allowedTakeovers(job)) {
    const error = new WorkerCrashedError(
      {},
      `the switchyard worker process running it stopped ${takeovers} times; set \`retries\` to allow more takeovers`,
    );
    for (const index of todo) outcomes[index] = failure(error);
    return chunkResult(job, outcomes, startedAt);
  }

  const relay = new JobRelay(job, data.count);
  const runs = local.mapSettled(
    ref,
    todo.map((index) => data.values[index]),
    {
      signal,
      ...(data.timeout === undefined ? {} : { timeout: data.timeout }),
      onProgress: (value, i) => relay.report(todo[i]!, value),
    },
  );
  try {
    for await (const settled of runs) {
      const index = todo[settled.index]!;
      const outcome = toOutcome(settled);
      outcomes[index] = outcome;
      // A crashed input may yet be retried: only the job's result may report it.
      if (!crashed(outcome)) relay.settled(index, outcome);
    }
  } catch (error) {
    if (!signal.aborted) throw error;
    for (const index of todo) outcomes[index] ??= failure(abortError(signal));
  }
  ran();
  await relay.finished();

  if (outcomes.some(crashed) && job.attemptsMade + 1 < (job.opts.attempts ?? 1)) {
    // Keep what finished, so the retry re-runs only the inputs whose worker crashed.
    const done = outcomes.map((outcome) => (crashed(outcome) ? undefined : outcome));
    await job.updateData({ ...(job.data as ChunkJob), done: encodeOutcomes(done) });
    throw new Error(`a local worker crashed running ${describeTask(ref)}; retrying the job`);
  }
  return chunkResult(job, outcomes, startedAt);
}

/**
 * How many times a job is taken over after the worker process running it died: once, as
 * every dead process's jobs are (a deploy, a scale-down), plus the `retries` the executor
 * asked for — beyond that the job is likely what kills its workers.
 */
export function allowedTakeovers(job: Job): number {
  return job.opts.attempts ?? 1;
}

function crashed(outcome: Outcome | undefined): boolean {
  return (
    outcome !== undefined && !outcome.ok && outcome.error.code === ERROR_CODES.WorkerCrashedError
  );
}

/**
 * Tells the executor, as BullMQ job progress (which it reads from the event stream), what
 * it should not wait for the end of the job to learn: `ctx.progress` reports, and the
 * outcomes of inputs that settled while the rest of the chunk still runs — so a failure is
 * seen in time and results stream back. Outcomes are gathered for {@link STREAM_DELAY_MS}
 * per batch: a chunk of tiny tasks that ends sooner sends none, a long one one write per
 * batch rather than per input.
 */
class JobRelay {
  readonly #job: Job;
  readonly #count: number;
  readonly #sending = new Set<Promise<void>>();
  #lastReportAt = Number.NEGATIVE_INFINITY;
  /** Outcomes waiting to be sent, by input index. */
  #batch: (Outcome | undefined)[] | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(job: Job, count: number) {
    this.#job = job;
    this.#count = count;
  }

  report(index: number, value: unknown): void {
    this.#lastReportAt = performance.now();
    this.#send({ index, value });
  }

  settled(index: number, outcome: Outcome): void {
    if (!this.#batch) {
      this.#batch = new Array<Outcome | undefined>(this.#count);
      this.#timer = setTimeout(this.#flush, STREAM_DELAY_MS);
    }
    this.#batch[index] = outcome;
  }

  /**
   * Drops the batch still gathering (the job's result carries it) and waits until the last
   * progress report has gone: the local executor delivers the latest report up to one
   * throttle interval late, and a report must not trail its result.
   */
  async finished(): Promise<void> {
    clearTimeout(this.#timer);
    this.#batch = undefined;
    for (;;) {
      const quietUntil = this.#lastReportAt + DEFAULTS.progressInterval + 10;
      if (performance.now() >= quietUntil) break;
      await sleep(quietUntil - performance.now());
    }
    await Promise.all(this.#sending);
  }

  readonly #flush = (): void => {
    const batch = this.#batch;
    this.#batch = undefined;
    if (batch) this.#send({ outcomes: encodeOutcomes(batch) });
  };

  #send(progress: JobProgress): void {
    const sending = this.#job.updateProgress(progress).catch(noop);
    this.#sending.add(sending);
    sending.finally(() => this.#sending.delete(sending));
  }
}

function noop(): void {}

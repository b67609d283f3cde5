/**
 * `switchyard worker`: takes chunk jobs from the BullMQ queue and runs their inputs on a
 * local pool, so one worker process uses every core of its machine.
 *
 * Security: the worker imports only the modules it was started with, once, at start, and
 * runs only their own function exports. A job names a task by module URL and export
 * name; anything outside that list fails with `TaskNotFoundError`. Nothing from the queue
 * is ever imported, evaluated or used before {@link readChunkJob} has checked it.
 *
 * A worker that dies mid-job loses its BullMQ lock; another worker takes the job over
 * once the lock has expired and a stalled-job check has run — within
 * `lockDuration + stalledInterval` (6 s by default; BullMQ's own defaults take 30–60 s).
 */
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Job, Worker } from 'bullmq';
import { DEFAULTS } from '../core/defaults.js';
import { CancelledError, ERROR_CODES, TaskNotFoundError } from '../core/errors.js';
import { loadBullmq } from '../core/peers.js';
import { describeTask, type Task, task } from '../core/task.js';
import type { Executor } from '../core/types.js';
import { createExecutor } from '../executor/create.js';
import { abortError } from '../primitives/abort.js';
import { sleep } from '../primitives/sleep.js';
import {
  type ConnectionOption,
  describeConnection,
  openRedis,
  watchConnection,
} from '../runners/distributed/connection.js';
import {
  type CheckedJob,
  type ChunkJob,
  type ChunkResult,
  cancelChannel,
  decodeArray,
  encodeOutcomes,
  failure,
  type JobProgress,
  type Outcome,
  PROTOCOL_VERSION,
  readChunkJob,
  toOutcome,
} from '../runners/distributed/protocol.js';
import { listTasks } from '../task/loader.js';

/** How long a job's lock lives without renewal: a dead worker's job is free again after it. */
export const LOCK_DURATION_MS = 4_000;
/** How often workers look for jobs whose lock expired. */
export const STALLED_INTERVAL_MS = 2_000;
/** Outcomes of a chunk that settle within this many ms of each other go back in one message. */
export const STREAM_DELAY_MS = 20;

export interface WorkerOptions {
  /** Redis URL or ioredis options. */
  readonly connection: ConnectionOption;
  /** Task modules (paths or URLs) whose function exports this worker may run. */
  readonly tasks: readonly string[];
  /** @default 'switchyard' */
  readonly queue?: string;
  /** Local pool size. @default the CPUs this process may use */
  readonly workers?: number;
  /** Tasks per local worker at once. @default 1 */
  readonly tasksPerWorker?: number;
  /** @default {@link LOCK_DURATION_MS} */
  readonly lockDuration?: number;
  /** @default {@link STALLED_INTERVAL_MS} */
  readonly stalledInterval?: number;
  /** Where status lines go. @default nowhere */
  readonly log?: (line: string) => void;
}

export interface RunningWorker {
  /** `switchyard-worker-<host>-<pid>`, also its Redis client name. */
  readonly name: string;
  readonly queue: string;
  /** The tasks this worker runs, as `file#export`. */
  readonly tasks: readonly string[];
  /** Jobs it can run at once (its local pool's concurrency). */
  readonly capacity: number;
  /** Settles when the worker has stopped: rejects if Redis refused its credentials. */
  readonly stopped: Promise<void>;
  /** Stops taking jobs, finishes the ones in hand, then releases the pool and Redis. */
  close(): Promise<void>;
}

/** Starts a worker; rejects when a task module is missing or Redis refuses or cannot be reached. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const log = options.log ?? (() => {});
  const allowed = await allowList(options.tasks);
  const where = describeConnection(options.connection);
  const name = `switchyard-worker-${hostname()}-${process.pid}`;
  const [{ Worker: BullWorker, UnrecoverableError }, client] = await Promise.all([
    loadBullmq(),
    openRedis(options.connection, name),
  ]);
  let fatal: ((error: Error) => void) | undefined;
  const queue = options.queue ?? DEFAULTS.queue;
  // Executors ask for a job's tasks to be aborted over pub/sub: a subscriber needs its own connection.
  const subscriber = client.duplicate();
  subscriber.on('error', noop);
  const running = new Map<string, AbortController>();
  subscriber.on('message', (_channel: string, jobId: string) => {
    running.get(jobId)?.abort(new CancelledError('cancelled by the executor that sent it'));
  });
  const clients = [client, subscriber];
  const watch = watchConnection(clients, where, (error) => {
    if (error.reason === 'credentials') fatal?.(error);
    else log(`switchyard worker: ${error.message}; still retrying`);
  });
  try {
    await watch.ready;
    await subscriber.subscribe(cancelChannel(queue));
  } catch (error) {
    watch.stop();
    for (const each of clients) each.disconnect();
    throw error;
  }

  const local = localExecutor(options);
  const capacity = local.stats().concurrency;
  const processor = (job: Job) => {
    let data: CheckedJob;
    try {
      data = readChunkJob(job.data);
    } catch (error) {
      // A job that fails validation is refused outright: retrying it cannot help.
      return Promise.reject(new UnrecoverableError((error as Error).message));
    }
    const controller = new AbortController();
    running.set(job.id ?? '', controller);
    return runChunk(job, data, allowed, local, controller.signal).finally(() =>
      running.delete(job.id ?? ''),
    );
  };
  const worker: Worker = new BullWorker(queue, processor, {
    connection: client,
    name,
    concurrency: capacity,
    lockDuration: options.lockDuration ?? LOCK_DURATION_MS,
    stalledInterval: options.stalledInterval ?? STALLED_INTERVAL_MS,
    maxStalledCount: 1,
  });
  worker.on('error', () => {}); // connection trouble is reported by the watchdog

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await worker.close();
      await local.close();
      watch.stop();
      for (const each of clients) each.disconnect();
    })();
    return closing;
  };
  const stopped = new Promise<void>((resolve, reject) => {
    fatal = (error) => {
      close().then(() => reject(error), reject);
    };
    worker.on('closed', () => {
      closing?.then(() => resolve(), noop);
    });
  });
  stopped.catch(noop);
  const tasks = [...allowed.values()].map((ref) => describeTask(ref));
  log(
    `switchyard worker ${name}: serving ${tasks.join(', ')} from queue '${queue}' at ${where}, ${capacity} at a time`,
  );
  return { name, queue, tasks, capacity, stopped, close };
}

/** The local pool jobs run on: threads, so a task past its timeout is really stopped. */
function localExecutor(options: WorkerOptions): Executor {
  return createExecutor({
    mode: 'threads',
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.tasksPerWorker === undefined ? {} : { tasksPerWorker: options.tasksPerWorker }),
  });
}

/** Imports each module once and lists the exports a job may name: `moduleUrl#export` → reference. */
async function allowList(modules: readonly string[]): Promise<Map<string, Task<unknown, unknown>>> {
  if (modules.length === 0) {
    throw new TypeError('switchyard worker: give at least one task module with --tasks MODULE');
  }
  const allowed = new Map<string, Task<unknown, unknown>>();
  for (const module of modules) {
    const moduleUrl = toModuleUrl(module);
    const names = await listTasks(moduleUrl);
    if (names.length === 0) {
      throw new TaskNotFoundError(
        moduleUrl,
        undefined,
        `task module ${module} exports no functions`,
      );
    }
    for (const exportName of names) {
      allowed.set(`${moduleUrl}#${exportName}`, task(moduleUrl, exportName));
    }
  }
  return allowed;
}

function toModuleUrl(module: string): string {
  if (/^[a-z][a-z0-9+.-]+:/i.test(module)) return new URL(module).href;
  return pathToFileURL(isAbsolute(module) ? module : resolve(module)).href;
}

async function runChunk(
  job: Job,
  data: CheckedJob,
  allowed: ReadonlyMap<string, Task<unknown, unknown>>,
  local: Executor,
  signal: AbortSignal,
): Promise<ChunkResult> {
  const startedAt = performance.now();
  const attempt = job.attemptsMade + 1;
  const ref = allowed.get(`${data.module}#${data.export}`);
  const finish = (outcomes: readonly (Outcome | undefined)[]): ChunkResult => ({
    v: PROTOCOL_VERSION,
    outcomes: encodeOutcomes(outcomes),
    ms: performance.now() - startedAt,
    attempt,
  });
  if (!ref) return finish(data.values.map(() => failure(notServed(data, allowed))));

  const outcomes: (Outcome | undefined)[] = new Array(data.count);
  if (data.done !== undefined) {
    (decodeArray(data.done, 'done') as (Outcome | undefined)[]).forEach((outcome, index) => {
      outcomes[index] = outcome;
    });
  }
  const todo = [...outcomes.keys()].filter((index) => outcomes[index] === undefined);
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
  await relay.finished();

  if (outcomes.some(crashed) && attempt < (job.opts.attempts ?? 1)) {
    // Keep what finished, so the retry re-runs only the inputs whose worker crashed.
    const done = outcomes.map((outcome) => (crashed(outcome) ? undefined : outcome));
    await job.updateData({ ...(job.data as ChunkJob), done: encodeOutcomes(done) });
    throw new Error(`a local worker crashed running ${describeTask(ref)}; retrying the job`);
  }
  return finish(relay.unsent(outcomes));
}

function notServed(
  data: { module: string; export: string },
  allowed: ReadonlyMap<string, Task<unknown, unknown>>,
): TaskNotFoundError {
  const modules = new Set([...allowed.values()].map((ref) => ref.moduleUrl));
  const problem = modules.has(data.module)
    ? `module ${data.module} has no function export named '${data.export}'; it exports ${[
        ...allowed.values(),
      ]
        .filter((ref) => ref.moduleUrl === data.module)
        .map((ref) => ref.exportName)
        .join(', ')}`
    : `this switchyard worker runs only tasks from ${[...modules].join(', ')} (its --tasks), not from ${data.module}; start the workers with --tasks for that module`;
  return new TaskNotFoundError(data.module, data.export, problem);
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
 * batch rather than per input. The job's result carries the outcomes not sent this way.
 */
class JobRelay {
  readonly #job: Job;
  readonly #count: number;
  readonly #sending = new Set<Promise<void>>();
  #lastReportAt = Number.NEGATIVE_INFINITY;
  /** Outcomes waiting to be sent, by input index. */
  #batch: (Outcome | undefined)[] | undefined;
  /** Indexes of the inputs whose outcome has been sent. */
  readonly #streamed = new Set<number>();
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

  /** `outcomes` without those already sent: what the job's result still has to carry. */
  unsent(outcomes: readonly (Outcome | undefined)[]): (Outcome | undefined)[] {
    return outcomes.map((outcome, index) => (this.#streamed.has(index) ? undefined : outcome));
  }

  readonly #flush = (): void => {
    const batch = this.#batch;
    this.#batch = undefined;
    if (!batch) return;
    batch.forEach((_outcome, index) => {
      this.#streamed.add(index);
    });
    this.#send({ outcomes: encodeOutcomes(batch) });
  };

  #send(progress: JobProgress): void {
    const sending = this.#job.updateProgress(progress).catch(noop);
    this.#sending.add(sending);
    sending.finally(() => this.#sending.delete(sending));
  }
}

function noop(): void {}

/**
 * `switchyard worker`: takes chunk jobs from the BullMQ queue and runs their inputs on a
 * local pool, so one worker process uses every core of its machine.
 *
 * Security: the worker imports only the modules it was started with, once, at start, and
 * runs only their own function exports (`allow-list.ts`). A job names a task by name
 * (`task-name.ts`); nothing from the queue is ever imported, evaluated or used before
 * {@link readChunkJob} has checked it.
 *
 * A job for a task this worker does not serve is handed back — delayed a moment, so that
 * another worker takes it — when a live worker serves that task (`registry.ts`); when none
 * does, its inputs fail with `TaskNotFoundError` naming what the workers do serve.
 *
 * A worker that dies mid-job loses its BullMQ lock; another worker takes the job over
 * once the lock has expired and a stalled-job check has run — within
 * `lockDuration + stalledInterval` (6 s by default; BullMQ's own defaults take 30–60 s).
 */
import { hostname } from 'node:os';
import type { Job, Worker } from 'bullmq';
import { DEFAULTS } from '../core/defaults.js';
import { CancelledError, TaskNotFoundError } from '../core/errors.js';
import { loadBullmq } from '../core/peers.js';
import type { Executor } from '../core/types.js';
import { createExecutor } from '../executor/create.js';
import {
  type ConnectionOption,
  describeConnection,
  openRedis,
  watchConnection,
  withinCloseGrace,
} from '../runners/distributed/connection.js';
import {
  type ChunkResult,
  cancelChannel,
  failure,
  readChunkJob,
} from '../runners/distributed/protocol.js';
import { moduleOf, taskName } from '../runners/distributed/task-name.js';
import { allowList } from './allow-list.js';
import { Registry } from './registry.js';
import { chunkResult, runChunk } from './run-chunk.js';

/** How long a job's lock lives without renewal: a dead worker's job is free again after it. */
export const LOCK_DURATION_MS = 4_000;
/** How often workers look for jobs whose lock expired. */
export const STALLED_INTERVAL_MS = 2_000;
/**
 * How long a job handed back waits before a worker may take it again: this at first, twice
 * as long each time it comes back, up to {@link MAX_HAND_BACK_DELAY_MS} — so workers that
 * cannot run a job do not keep Redis busy passing it round while the one that can is busy.
 * A random part as long again spreads the workers that keep finding it.
 */
export const HAND_BACK_DELAY_MS = 200;
export const MAX_HAND_BACK_DELAY_MS = 2_000;

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
  /** The tasks this worker runs, by the names they travel by (`my-app/dist/jobs.js#resize`). */
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
  const tasks = [...allowed.keys()];
  const where = describeConnection(options.connection);
  const name = `switchyard-worker-${hostname()}-${process.pid}`;
  const [{ Worker: BullWorker, UnrecoverableError, DelayedError }, client] = await Promise.all([
    loadBullmq(),
    openRedis(options.connection, name),
  ]);
  let fatal: ((error: Error) => void) | undefined;
  const queue = options.queue ?? DEFAULTS.queue;
  // Executors ask for a job's tasks to be aborted over pub/sub: a subscriber needs its own connection.
  const subscriber = client.duplicate();
  subscriber.on('error', noop);
  const running = new Map<string, AbortController>();
  /** Jobs aborted for their executor: no one will read their results, so they are removed. */
  const cancelled = new Set<string>();
  subscriber.on('message', (_channel: string, jobId: string) => {
    const controller = running.get(jobId);
    if (!controller) return;
    cancelled.add(jobId);
    controller.abort(new CancelledError('cancelled by the executor that sent it'));
  });
  const clients = [client, subscriber];
  const watch = watchConnection(clients, where, (error) => {
    if (error.reason === 'credentials') fatal?.(error);
    else log(`switchyard worker: ${error.message}; still retrying`);
  });
  const registry = new Registry(client, queue, name, tasks);
  try {
    await watch.ready;
    await subscriber.subscribe(cancelChannel(queue));
    await registry.start();
  } catch (error) {
    watch.stop();
    for (const each of clients) each.disconnect();
    throw error;
  }

  const local = localExecutor(options);
  const capacity = local.stats().concurrency;
  const processor = async (job: Job, token?: string): Promise<ChunkResult> => {
    let data: ReturnType<typeof readChunkJob>;
    try {
      data = readChunkJob(job.data);
    } catch (error) {
      // A job that fails validation is refused outright: retrying it cannot help.
      throw new UnrecoverableError((error as Error).message);
    }
    const wanted = taskName(data.module, data.export);
    const ref = allowed.get(wanted);
    if (!ref) {
      const { others, tasks: served } = await registry.servers(wanted);
      if (others.length === 0) {
        const error = notServed(data, queue, served);
        return chunkResult(
          job,
          data.values.map(() => failure(error)),
          performance.now(),
        );
      }
      await job.moveToDelayed(Date.now() + handBackDelay(job), token);
      throw new DelayedError();
    }
    const controller = new AbortController();
    const id = job.id ?? '';
    running.set(id, controller);
    try {
      return await runChunk(job, data, ref, local, controller.signal);
    } finally {
      running.delete(id);
    }
  };
  const worker: Worker = new BullWorker(queue, processor, {
    connection: client,
    name,
    concurrency: capacity,
    lockDuration: options.lockDuration ?? LOCK_DURATION_MS,
    stalledInterval: options.stalledInterval ?? STALLED_INTERVAL_MS,
    // How often a job may be taken over is decided per job (run-chunk.ts: allowedTakeovers).
    maxStalledCount: Number.MAX_SAFE_INTEGER,
  });
  worker.on('error', () => {}); // connection trouble is reported by the watchdog
  const removeIfCancelled = (job: Job | undefined) => {
    if (job?.id !== undefined && cancelled.delete(job.id)) job.remove().catch(noop);
  };
  worker.on('completed', removeIfCancelled);
  worker.on('failed', removeIfCancelled);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // Off the registry first: jobs for tasks only this worker serves now fail elsewhere.
      // (With Redis down the card just expires.)
      await withinCloseGrace(registry.stop().catch(noop));
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

/** How long a job handed back waits, by how often it was taken (each hand-back is a start). */
function handBackDelay(job: Job): number {
  const handedBack = Math.max(0, job.attemptsStarted - 1);
  const delay = Math.min(
    HAND_BACK_DELAY_MS * 2 ** Math.min(handedBack, 16),
    MAX_HAND_BACK_DELAY_MS,
  );
  return delay * (1 + Math.random());
}

/** Why no worker can run a job's task, naming what the workers on the queue do serve. */
function notServed(
  data: { module: string; export: string },
  queue: string,
  served: readonly string[],
): TaskNotFoundError {
  const exports = served
    .filter((name) => moduleOf(name) === data.module)
    .map((name) => name.slice(data.module.length + 1));
  const modules = [...new Set(served.map(moduleOf))];
  const problem =
    exports.length > 0
      ? `module ${data.module} has no function export named '${data.export}' on any switchyard worker of queue '${queue}'; it exports ${exports.join(', ')}`
      : `no switchyard worker of queue '${queue}' runs tasks from ${data.module}: they serve ${modules.join(', ') || 'nothing'}; start a worker with --tasks for that module`;
  return new TaskNotFoundError(data.module, data.export, problem);
}

function noop(): void {}

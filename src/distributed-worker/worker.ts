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
import type { Redis } from 'ioredis';
import { DEFAULTS } from '../core/defaults.js';
import { CancelledError, TaskNotFoundError } from '../core/errors.js';
import { loadBullmq } from '../core/peers.js';
import type { Executor } from '../core/types.js';
import { createExecutor } from '../executor/create.js';
import {
  CLOSE_GRACE_MS,
  type ConnectionOption,
  describeConnection,
  openRedis,
  RECONNECT_GRACE_MS,
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
  /**
   * Stops taking jobs, finishes the ones in hand, then releases the pool and Redis. Once
   * the jobs in hand have run, it waits at most {@link CLOSE_GRACE_MS} for Redis to take
   * their results: a Redis that is gone would keep it waiting for good, and past their
   * lock another worker runs those jobs again anyway.
   *
   * `{ cancel: true }` (also while a close is under way) aborts the tasks in hand instead
   * (their `ctx.signal` fires) and saves nothing of their jobs: another worker takes them
   * over once their lock expires, as it would had this process died.
   */
  close(options?: { readonly cancel?: boolean }): Promise<void>;
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
  /** Jobs whose inputs are running on the local pool: what closing waits for before it bounds its wait on Redis. */
  const inHand = new Set<Promise<void>>();
  /** Jobs taken whose outcome Redis has not yet recorded (completed, failed or handed back). */
  const unsaved = new Set<string>();
  /** `close({ cancel: true })` was called: jobs in hand are left to another worker. */
  let abandoning = false;
  /** Jobs aborted for their executor: no one will read their results, so they are removed. */
  const cancelled = new Set<string>();
  subscriber.on('message', (_channel: string, jobId: string) => {
    const controller = running.get(jobId);
    if (!controller) return;
    cancelled.add(jobId);
    controller.abort(new CancelledError('cancelled by the executor that sent it'));
  });
  const clients = [client, subscriber];
  /** When the connection was lost, while it is: the watchdog says so once per grace period. */
  let downSince: number | undefined;
  let started = false;
  const watch = watchConnection(
    clients,
    where,
    (error) => {
      if (error.reason === 'credentials') return fatal?.(error);
      // Before Redis was first reached, the start rejects with this error, which says it once.
      if (!started) return;
      downSince ??= Date.now() - RECONNECT_GRACE_MS;
      log(unreachable(where, Date.now() - downSince, error.cause));
    },
    {
      onRestored: () => {
        if (downSince === undefined) return;
        downSince = undefined;
        log(`switchyard worker: connected to Redis at ${where} again; taking jobs`);
      },
    },
  );
  const registry = new Registry(client, queue, name, tasks);
  try {
    await watch.ready;
    started = true;
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
    if (abandoning) return new Promise<never>(noop);
    const id = job.id ?? '';
    unsaved.add(id);
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
      unsaved.delete(id);
      throw new DelayedError();
    }
    const controller = new AbortController();
    running.set(id, controller);
    let ran = noop;
    const working = new Promise<void>((resolve) => {
      ran = resolve;
    });
    inHand.add(working);
    working.then(() => inHand.delete(working));
    try {
      const result = await runChunk(job, data, ref, local, controller.signal, ran);
      // Cancelled by the worker's own close: nothing of the job is saved (see `close`).
      if (abandoning) return await new Promise<never>(noop);
      return result;
    } finally {
      ran();
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
  const recorded = (job: Job | undefined) => {
    if (job?.id === undefined) return;
    unsaved.delete(job.id);
    if (cancelled.delete(job.id)) job.remove().catch(noop);
  };
  worker.on('completed', recorded);
  worker.on('failed', recorded);

  let closing: Promise<void> | undefined;
  let fatalError: Error | undefined;
  let settleStopped = noop;
  const stopped = new Promise<void>((resolve, reject) => {
    settleStopped = () => (fatalError ? reject(fatalError) : resolve());
  });
  const shutdown = async () => {
    // Off the registry first: jobs for tasks only this worker serves now fail elsewhere.
    // (With Redis down the card just expires.)
    const unregistered = withinCloseGrace(registry.stop().catch(noop));
    await worker.pause(true).catch(noop); // no new jobs; the ones in hand go on
    const ranAll = async () => {
      while (inHand.size > 0) await Promise.all(inHand);
    };
    await ranAll();
    // BullMQ's own close saves the results of the jobs in hand, waiting for Redis as long as
    // it takes: with Redis gone, for good. So it is used only while Redis answers, and once
    // the jobs in hand have run, Redis gets CLOSE_GRACE_MS to come back and take them.
    const reachable = !abandoning && (await settlesWithin(whenReady(client), CLOSE_GRACE_MS));
    await unregistered;
    const closed = reachable
      ? worker.close().then(
          () => true,
          () => true,
        )
      : Promise.resolve(false);
    // A job being fetched as the worker paused still runs.
    const late = ranAll().then(() => !abandoning && settlesWithin(closed, CLOSE_GRACE_MS));
    if (!(await Promise.race([closed, late]))) {
      if (!abandoning) log(stoppedWithout(where, unsaved.size));
      // Without waiting for the jobs or Redis (a close under way ignores this, hence the bound).
      await settlesWithin(worker.close(true).catch(noop), CLOSE_GRACE_MS);
    }
    for (const each of clients) each.disconnect();
    await local.close({ cancel: abandoning });
    watch.stop();
  };
  const close = ({ cancel = false } = {}) => {
    if (cancel && !abandoning) {
      abandoning = true;
      const reason = new CancelledError('the switchyard worker running it was stopped');
      for (const controller of running.values()) controller.abort(reason);
    }
    closing ??= shutdown()
      .catch((error: Error) => {
        fatalError ??= error;
      })
      .finally(settleStopped);
    return closing;
  };
  fatal = (error) => {
    fatalError = error;
    close().catch(noop);
  };
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

/** The line a worker logs once per grace period while Redis is out of reach. */
function unreachable(where: string, downMs: number, cause: unknown): string {
  const why = cause instanceof Error ? ` (${cause.message})` : '';
  return `switchyard worker: no connection to Redis at ${where} for ${Math.floor(downMs / 1000)} s${why}, so no jobs are taken; still trying to reconnect: check that Redis is running and reachable from this machine`;
}

/** What a close that could not wait for Redis any longer says. */
function stoppedWithout(where: string, unsaved: number): string {
  const lost =
    unsaved === 0
      ? 'no job was in hand, so nothing was lost'
      : `the outcome of ${unsaved === 1 ? '1 job' : `${unsaved} jobs`} it had taken could not be recorded there, so another worker runs ${unsaved === 1 ? 'it' : 'them'} again`;
  return `switchyard worker: Redis at ${where} did not answer within ${CLOSE_GRACE_MS / 1000} s, so the worker stopped without it; ${lost}`;
}

/** Resolves once `client` is connected and ready. */
function whenReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

/** Whether `work` (which never rejects) settles within `ms`. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  return Promise.race([work.then(() => true), late]).finally(() => clearTimeout(timer));
}

function noop(): void {}

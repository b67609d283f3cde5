/**
 * A pool as a {@link Runner}: what the executor front needs from `threads` and `processes`.
 * It turns task references into pool tasks (checked in a worker before any input runs),
 * refuses plain functions and unsendable inputs up front, and sizes `map` chunks from the
 * task times the workers measure.
 */

import { inputsPerChunk } from '../../core/chunks.js';
import { DEFAULTS, defaultWorkers } from '../../core/defaults.js';
import { SerializationError } from '../../core/errors.js';
import type { PoolOptions } from '../../core/options.js';
import type { ChunkOutcome, ChunkRun, Runner } from '../../core/runner.js';
import { isTask, plainFunctionError, type TaskLike } from '../../core/task.js';
import { findUnsendable } from '../../core/unsendable.js';
import { LOAD_TIMEOUT_MS } from '../../task/loader.js';
import { Pool, type PoolTask } from './pool.js';
import type { TransportSpec } from './transport.js';

/** `map` reads at most this many inputs ahead of the consumer (or one per task slot, if more). */
const MAP_WINDOW = 4096;

export function poolRunner(
  mode: 'threads' | 'processes',
  transport: TransportSpec,
  options: PoolOptions,
): Runner<PoolTask> {
  const tasksPerWorker = options.tasksPerWorker ?? DEFAULTS.tasksPerWorker;
  const workers =
    options.workers ??
    (options.concurrency === undefined
      ? defaultWorkers()
      : Math.max(1, Math.ceil(options.concurrency / tasksPerWorker)));
  const pool = new Pool({
    transport,
    workers,
    minWorkers: Math.min(options.minWorkers ?? DEFAULTS.minWorkers, workers),
    tasksPerWorker,
    idleTimeout: options.idleTimeout ?? DEFAULTS.idleTimeout,
    maxTasksPerWorker: options.maxTasksPerWorker ?? Number.POSITIVE_INFINITY,
    retries: options.retries ?? DEFAULTS.retries,
    maxQueue: options.maxQueue ?? Number.POSITIVE_INFINITY,
    resourceLimits: options.resourceLimits,
    grace: DEFAULTS.stopGrace,
    loadTimeout: LOAD_TIMEOUT_MS,
  });
  const checked = new Map<number, Promise<PoolTask>>();
  /** Loaded tasks by the reference object the caller passed. */
  const ready = new WeakMap<object, PoolTask>();
  const concurrency = workers * tasksPerWorker;

  return {
    mode,
    concurrency,
    mapWindow: Math.max(MAP_WINDOW, concurrency),
    prepared: (task) => (typeof task === 'object' ? ready.get(task) : undefined),
    prepare(task) {
      let known: PoolTask;
      try {
        known = pool.task(referenceOf(task, mode, transport.name));
      } catch (error) {
        return Promise.reject(error);
      }
      let probed = checked.get(known.taskId);
      if (!probed) {
        probed = pool.probe(known).then(() => known);
        checked.set(known.taskId, probed);
        probed.catch(() => checked.delete(known.taskId));
      }
      // The same reference object, submitted again and again, is looked up once.
      probed.then(() => typeof task === 'object' && ready.set(task, known), noop);
      return probed;
    },
    run(task, { input, controller, timeout, priority, transfer, progress, refusable, ended }) {
      const bad = findUnsendable(input, 'input');
      if (bad) {
        ended(0, 1);
        return Promise.reject(new SerializationError(bad.path, bad.problem));
      }
      return pool.runOne({
        task,
        inputs: [input],
        controller,
        timeout,
        priority,
        // A child process is sent a copy: nothing is moved, and a retry can send it again.
        transfer: transport.name === 'thread' ? transfer : undefined,
        progress,
        refusable,
        ended,
      });
    },
    runChunk(task, chunk) {
      return runChunk(pool, task, chunk);
    },
    chunkSize(task, timeout) {
      // A timeout is per task: chunks of one keep a runaway input from taking others down with it.
      const ms = task.inputMs;
      if (timeout !== undefined || ms === undefined) return 1;
      // Small enough that every worker has two chunks to work on within the window.
      const most = Math.max(1, Math.floor(MAP_WINDOW / (2 * workers)));
      return inputsPerChunk(ms, most);
    },
    load: () => pool.stats(),
    cpuMs: () => pool.cpuMs(),
    ready: () => pool.ready(),
    close: () => pool.close(),
  };
}

/** Runs a chunk as one job; inputs that cannot be sent fail on their own when it is sent (see `Pool`). */
function runChunk(pool: Pool, task: PoolTask, chunk: ChunkRun): Promise<ChunkOutcome> {
  const { inputs, controller, progress, ended } = chunk;
  return pool.run({
    task,
    inputs,
    controller,
    timeout: chunk.timeout === undefined ? undefined : chunk.timeout * inputs.length,
    priority: 0,
    progress,
    ended,
  });
}

function referenceOf(task: TaskLike<never, unknown>, mode: string, where: 'thread' | 'process') {
  if (typeof task === 'function')
    throw plainFunctionError(mode, task, `a function cannot be sent to a worker ${where}`);
  if (!isTask(task)) {
    throw new TypeError(
      `${mode}: expected a task reference made by task(new URL('./tasks.js', import.meta.url), 'name'), got ${task === null ? 'null' : typeof task}`,
    );
  }
  return task;
}

function noop(): void {}

/**
 * `auto` — chosen by measurement, while the work runs. It takes task references only: the
 * work may move to worker threads, which cannot be sent a function. Each task gets a feedback
 * controller (see `controller.ts` and `law.ts`): its first runs start at once on the
 * calling thread's event loop, and from the completions as they happen it finds how many
 * to keep in flight there, or moves the work to worker threads (and back) when the calling
 * thread is the bottleneck. Nothing is sampled apart and nothing runs twice; the pipeline
 * never drains to take a measurement.
 */
import { defaultPoolSize } from '../../core/cpus.js';
import { DEFAULTS } from '../../core/defaults.js';
import { QueueFullError } from '../../core/errors.js';
import type { AutoOptions, ExecutorOptions } from '../../core/options.js';
import type {
  ChunkOutcome,
  ChunkRun,
  ReadAhead,
  Runner,
  RunnerLoad,
  TaskRun,
} from '../../core/runner.js';
import { plainFunctionError, type Task, type TaskLike } from '../../core/task.js';
import type { Decision, Mode } from '../../core/types.js';
import { Room } from '../../primitives/room.js';
import { loadTaskWithin } from '../../task/loader.js';
import { eventLoopRunner } from '../loop/loop.js';
import { AutoTask, type Shared } from './auto-task.js';
import { callingThread } from './instruments.js';
import type { Instruments } from './measures.js';
import { AUTO_MAP_WINDOW, MAX_LIMIT, MAX_TASKS_PER_WORKER, START_LIMIT } from './settings.js';
import { Turn } from './turn.js';
import { WorkerThreads } from './workers.js';

/** The read-ahead limit of a task under `auto` follows its level for as long as the map runs. */
const NEVER: PromiseLike<never> = new Promise<never>(() => {});

/** Makes the runner of a fixed mode (the same factory `createExecutor` uses). */
export type RunnerFactory = (options: ExecutorOptions) => Runner;

export class AutoRunner implements Runner<AutoTask> {
  readonly mode = 'auto';
  /** Inputs a `map` reads ahead at most: room for the most in flight anywhere, and as many done. */
  readonly mapWindow: number;
  readonly #options: AutoOptions;
  readonly #available: readonly Mode[];
  readonly #workerCount: number;
  /** CPUs this process may use (its cgroup's quota counted). */
  readonly #cpus: number;
  readonly #shared: Shared;
  readonly #loading = new Map<string, Promise<AutoTask>>();
  /** Tasks loaded, by the reference object the caller passed. */
  readonly #ready = new WeakMap<object, AutoTask>();
  readonly #tasks: AutoTask[] = [];
  /** The task that ran last: whose decision users read. */
  #current: AutoTask | undefined;
  readonly #maxQueue: number;
  /** Room under `maxQueue` for a `submit`: tasks waiting anywhere in auto count. */
  readonly #room: Room;

  /** `instruments`: where the controllers read time and the calling thread's busy counters (tests script them). */
  constructor(
    options: AutoOptions,
    createRunner: RunnerFactory,
    available: readonly Mode[],
    instruments: Instruments = callingThread(() => this.#shared.workers.cpuMs()),
  ) {
    this.#options = options;
    this.#available = available;
    this.#maxQueue = options.maxQueue ?? Number.POSITIVE_INFINITY;
    this.#room = new Room(
      () => this.load().queued,
      this.#maxQueue,
      () => {
        const { queued, running } = this.load();
        return queued === 0 && running < this.concurrency;
      },
    );
    const cap = options.concurrency ?? Number.POSITIVE_INFINITY;
    this.#cpus = defaultPoolSize();
    this.#workerCount = Math.max(1, Math.min(options.workers ?? this.#cpus, cap));
    const perWorker = this.#maxPerWorker();
    // One more per worker than its level: the next task at hand (see AutoTask).
    this.mapWindow = Math.max(AUTO_MAP_WINDOW, 2 * this.#workerCount * (perWorker + 1));
    const { retries, resourceLimits, maxTasksPerWorker, idleTimeout, minWorkers } = options;
    const oneWorker = (): Runner =>
      createRunner({
        mode: 'threads',
        workers: 1,
        // Room for the level plus the one sent ahead (see AutoTask).
        tasksPerWorker: perWorker + 1,
        minWorkers: Math.min(minWorkers ?? DEFAULTS.minWorkers, 1),
        ...defined({ retries, resourceLimits, maxTasksPerWorker, idleTimeout }),
      });
    this.#shared = {
      inThread: eventLoopRunner('loop', Number.POSITIVE_INFINITY),
      workers: new WorkerThreads(this.#workerCount, oneWorker),
      turn: new Turn(() => {
        for (const task of this.#tasks) task.gate.wake();
      }),
      instruments,
      refuse: () => (this.#room.hasRoom() ? undefined : new QueueFullError(this.#maxQueue)),
    };
  }

  /** What the task that ran last is doing now, and why; `undefined` before any task. */
  get decision(): Decision | undefined {
    return this.#current?.controller.decision();
  }

  get concurrency(): number {
    const level = this.#current?.controller.level;
    if (!level) return Math.min(START_LIMIT, this.#options.concurrency ?? START_LIMIT);
    return level.route === 'loop' ? level.level : level.level * this.#workerCount;
  }

  /** Loads a task reference; rejects a plain function, which worker threads could not be given. */
  prepare(task: TaskLike<never, unknown>): Promise<AutoTask> {
    if (typeof task === 'function') {
      return Promise.reject(
        plainFunctionError(
          'auto',
          task,
          'auto may move the work to worker threads, which cannot be sent a function',
          ", or use mode: 'loop' to keep a function on the calling thread",
        ),
      );
    }
    const key = `${task.moduleUrl}#${task.exportName}`;
    let loading = this.#loading.get(key);
    if (!loading) {
      loading = this.#load(task);
      this.#loading.set(key, loading);
      loading.catch(() => this.#loading.delete(key));
    }
    return loading;
  }

  prepared(task: TaskLike<never, unknown>): AutoTask | undefined {
    return this.#ready.get(task as object);
  }

  run(task: AutoTask, run: TaskRun): Promise<unknown> {
    this.#current = task;
    return this.#freesRoom(task.run(run));
  }

  runChunk(task: AutoTask, chunk: ChunkRun): Promise<ChunkOutcome> {
    this.#current = task;
    return this.#freesRoom(task.runChunk(chunk));
  }

  ready(): Promise<void> {
    return this.#room.ready();
  }

  /** A task that ends lets the one behind it start: a `ready()` may have room now. */
  #freesRoom<T>(settles: Promise<T>): Promise<T> {
    if (this.#maxQueue !== Number.POSITIVE_INFINITY) {
      const check = () => this.#room.check();
      settles.then(check, check);
    }
    return settles;
  }

  chunkSize(task: AutoTask, timeout: number | undefined): number {
    return task.chunkSize(timeout);
  }

  /** A `map` reads ahead what the task's current level can use (see {@link AutoTask.readAhead}). */
  readAhead(task: AutoTask): ReadAhead {
    return { limit: () => task.readAhead(), lifted: NEVER, onRise: task.onRise };
  }

  mapReading(task: AutoTask, unread: () => number | undefined): () => void {
    return task.mapReading(unread);
  }

  load(): RunnerLoad {
    const workers = this.#shared.workers.load();
    const inThread = this.#shared.inThread.load();
    let onThread = inThread.running;
    let waiting = 0;
    for (const task of this.#tasks) {
      onThread += task.inChunksOnThread;
      waiting += task.gate.waiting;
    }
    const onWorkers = this.#current?.controller.level.route === 'threads' && workers;
    return {
      workers: workers?.workers ?? 0,
      running: onThread + (workers?.running ?? 0),
      queued: waiting + (workers?.queued ?? 0),
      retried: workers?.retried ?? 0,
      utilization: onWorkers ? workers.utilization : inThread.utilization,
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.#shared.inThread.close(), this.#shared.workers.close()]);
  }

  async #load(task: Task<never, unknown>): Promise<AutoTask> {
    const loadingSince = performance.now();
    const fn = await loadTaskWithin(task as Task<unknown, unknown>);
    const loadMs = performance.now() - loadingSince;
    const threads = this.#available.includes('threads');
    const cap = this.#options.concurrency ?? Number.POSITIVE_INFINITY;
    const auto = new AutoTask(
      task,
      fn,
      this.#shared,
      {
        workers: this.#workerCount,
        cpus: this.#cpus,
        threadsUnavailable: whyNotThreads(threads, this.#workerCount),
        maxLoop: Math.min(MAX_LIMIT, cap),
        maxPerWorker: this.#maxPerWorker(),
        canLeave: threads,
        mapWindow: this.mapWindow,
        loadMs,
      },
      { route: 'loop', level: Math.min(START_LIMIT, cap) },
    );
    this.#tasks.push(auto);
    this.#ready.set(task, auto);
    this.#current ??= auto;
    return auto;
  }

  /** Most tasks per worker: auto's own bound, lowered by the user's `tasksPerWorker` and `concurrency`. */
  #maxPerWorker(): number {
    const { concurrency, tasksPerWorker } = this.#options;
    const byConcurrency =
      concurrency === undefined
        ? Number.POSITIVE_INFINITY
        : Math.floor(concurrency / this.#workerCount);
    return Math.max(1, Math.min(tasksPerWorker ?? MAX_TASKS_PER_WORKER, byConcurrency));
  }
}

/** Why worker threads cannot speed up the tasks of this executor, or `undefined` when they can. */
function whyNotThreads(threads: boolean, workers: number): string | undefined {
  if (!threads) return 'this build has no threads mode';
  if (workers < 2) return 'only one CPU is usable, so worker threads cannot run tasks in parallel';
  return undefined;
}

/** `values` without its `undefined` entries, so that they do not override defaults. */
function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

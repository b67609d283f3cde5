/**
 * The executor's side of `distributed`: a {@link Runner} that packs waiting tasks into
 * BullMQ jobs (one job per chunk of inputs), adds them to the queue, and settles each task
 * from the queue's event stream — and, where the stream fell silent, from Redis itself
 * (`reconcile.ts`), so that every task settles: with its outcome, or with an error that
 * says what happened (`TaskLostError`, `RedisConnectionError`).
 *
 * Chunks are formed here, from the tasks started in one turn of the event loop (a map's
 * window, a burst of submits), rather than through the front's `runChunk` seam: that seam
 * settles a chunk as a whole, whereas here every input keeps its own promise, so the
 * outcomes a worker streams back while the rest of its chunk runs settle at once — a
 * failure is seen in time, and results flow while a long chunk still runs.
 *
 * Tasks travel by name (`task-name.ts`), not by where their module lives here.
 */
import type { Queue } from 'bullmq';
import { builtin } from '../../core/builtins.js';
import {
  ExecutorClosedError,
  QueueFullError,
  SerializationError,
  TaskNotFoundError,
  toError,
} from '../../core/errors.js';
import type { Runner, RunnerLoad, TaskRun } from '../../core/runner.js';
import { describeTask, isTask, type Task, type TaskLike } from '../../core/task.js';
import { isAborted, onAbort } from '../../primitives/abort.js';
import { Room } from '../../primitives/room.js';
import { type Release, Semaphore } from '../../primitives/semaphore.js';
import { loadTask } from '../../task/loader.js';
import { ChunkSizer } from './chunk-size.js';
import { Cleanup, KEEP_FINISHED } from './cleanup.js';
import { type ConnectionOption, withinCloseGrace } from './connection.js';
import { Engine, type JobListener } from './engine.js';
import { probeJobs } from './probe.js';
import { type ChunkJob, encodeInputs, PROTOCOL_VERSION } from './protocol.js';
import { Reconciler } from './reconcile.js';
import { Entry, type SentJob, SentJobs } from './sent-jobs.js';
import { moduleName, taskName } from './task-name.js';

const nodeCrypto = builtin<typeof import('node:crypto')>('node:crypto');

/** BullMQ runs lower numbers first; switchyard's priority 0 sits in the middle of its range. */
const PRIORITY_ZERO = 1 << 20;
/** Base delay of BullMQ's exponential backoff between crash retries. */
const RETRY_BACKOFF_MS = 200;

export interface DistributedOptions {
  readonly connection: ConnectionOption;
  readonly queue: string;
  readonly concurrency: number;
  readonly retries: number;
  /** Most tasks waiting here for a slot under `concurrency`; past it `submit` is refused. */
  readonly maxQueue: number;
}

/** A task reference with the name it travels by. */
export interface NamedTask {
  readonly task: Task<unknown, unknown>;
  /** `module#export`, see `task-name.ts`. */
  readonly name: string;
  readonly module: string;
}

/** Tasks waiting to be sent that can share a job: same task, timeout and priority. */
interface Group {
  readonly named: NamedTask;
  readonly timeout: number | undefined;
  readonly priority: number;
  readonly entries: Entry[];
}

type BulkJob = Parameters<Queue['addBulk']>[0][number];

export class DistributedRunner implements Runner<NamedTask> {
  readonly mode = 'distributed' as const;
  readonly concurrency: number;
  readonly mapWindow: number;
  readonly #options: DistributedOptions;
  /** Unique per executor: job ids are `<id>-<n>`, so events of other executors are ignored. */
  readonly #id = nodeCrypto().randomBytes(6).toString('hex');
  readonly #named = new WeakMap<object, NamedTask>();
  readonly #groups = new Map<string, Group>();
  readonly #sent: SentJobs;
  readonly #reconciler: Reconciler<SentJob>;
  readonly #cleanup: Cleanup;
  readonly #sizer = new ChunkSizer();
  readonly #slots: Semaphore;
  readonly #room: Room;
  #engine: Promise<Engine> | undefined;
  /** The engine once open, for what cannot wait for it. */
  #live: Engine | undefined;
  #closed = false;
  #flushScheduled = false;
  #jobs = 0;
  /**
   * Tasks not settled yet that hold a slot, wherever they are: grouped to be sent, in a
   * flush waiting for the connection, in a job. Those in an active job are running; the
   * rest are queued.
   */
  #open = 0;
  /** Tasks waiting for a slot, by this runner's own count (the semaphore's drops a promise hop early). */
  #waiting = 0;
  #retried = 0;
  #workers = 0;
  #workersCheckedAt = 0;

  constructor(options: DistributedOptions) {
    this.#options = options;
    this.concurrency = options.concurrency;
    this.mapWindow = options.concurrency;
    this.#slots = new Semaphore(options.concurrency);
    this.#room = new Room(
      () => this.#slots.waiting,
      options.maxQueue,
      () => this.#slots.available > 0,
    );
    this.#sent = new SentJobs({
      measured: (task, ms, count, attempt) => {
        this.#sizer.observe(task, ms, count);
        this.#retried += attempt - 1;
      },
      finished: (jobId) => this.#cleanup.consumed(jobId),
    });
    this.#reconciler = new Reconciler({
      jobs: this.#sent.byId,
      probe: async (ids) => {
        const engine = await this.#connect();
        return probeJobs(engine.commands, engine.queue, ids);
      },
      eventsMissed: () => this.#live?.eventsMissed() ?? Promise.resolve(false),
      found: (jobId, status) => {
        if (status.state === 'completed') this.#sent.completed(jobId, status.result);
        else if (status.state === 'failed') this.#sent.failed(jobId, status.reason);
        else this.#sent.lost(jobId, status.runId);
      },
    });
    this.#cleanup = new Cleanup(() => (this.#live ? this.#engine : undefined));
  }

  async prepare(task: TaskLike<never, unknown>): Promise<NamedTask> {
    if (!isTask(task)) {
      throw new TypeError(
        `the distributed executor needs a task reference, got ${typeof task === 'function' ? `the plain function ${describeTask(task)}` : typeof task}: functions cannot travel to other machines; export it from a module started with \`switchyard worker --tasks\` and pass task(new URL('./jobs.js', import.meta.url), 'name')`,
      );
    }
    const [, module] = await Promise.all([
      this.#connect(),
      moduleName(task.moduleUrl),
      checkExport(task),
    ]);
    const named = { task, module, name: taskName(module, task.exportName) };
    this.#named.set(task, named);
    return named;
  }

  prepared(task: TaskLike<never, unknown>): NamedTask | undefined {
    return typeof task === 'object' ? this.#named.get(task) : undefined;
  }

  run(named: NamedTask, run: TaskRun): Promise<unknown> {
    // A free slot is taken at once; past `maxQueue` waiting, a submit is refused.
    const release = this.#slots.tryAcquire();
    if (release) return this.#enqueue(named, run, release);
    if (run.refusable && !this.#room.hasRoom()) {
      return Promise.reject(new QueueFullError(this.#options.maxQueue));
    }
    this.#waiting++;
    return this.#slots.acquireUntil(run.controller, run.priority).then(
      (granted) => {
        this.#waiting--;
        return this.#enqueue(named, run, granted);
      },
      (error: unknown) => {
        this.#waiting--;
        run.ended(0, 1);
        this.#room.check();
        throw error;
      },
    );
  }

  ready(): Promise<void> {
    return this.#room.ready();
  }

  load(): RunnerLoad {
    const { running } = this.#sent.count();
    const queued = this.#open - running + this.#waiting;
    this.#refreshWorkerCount();
    return { workers: this.#workers, running, queued, retried: this.#retried, utilization: 0 };
  }

  /** Tidies up what is left to tidy, then closes every connection; nothing reconnects after. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#reconciler.stop();
    const engine = await this.#engine?.catch(() => undefined);
    if (!engine) return;
    await withinCloseGrace(this.#cleanup.drain());
    this.#live = undefined;
    await engine.close();
  }

  /** Opens the engine on first use; after `close()` never again. */
  #connect(): Promise<Engine> {
    if (this.#closed) return Promise.reject(new ExecutorClosedError(this.mode));
    this.#engine ??= Engine.open(
      { connection: this.#options.connection, queue: this.#options.queue, id: this.#id },
      this.#listener,
    ).then(
      async (engine) => {
        this.#live = engine;
        this.#reconciler.start();
        // So that stats().workers counts the cluster from the first task on.
        await this.#countWorkers(engine).catch(noop);
        return engine;
      },
      (error: unknown) => {
        this.#engine = undefined;
        throw error;
      },
    );
    return this.#engine;
  }

  readonly #listener: JobListener = {
    completed: (jobId, result) => this.#sent.completed(jobId, result),
    failed: (jobId, reason) => this.#sent.failed(jobId, reason),
    progress: (jobId, data) => this.#progress(jobId, data),
    active: (jobId) => this.#sent.mark(jobId, true),
    stalled: (jobId) => {
      if (this.#sent.mark(jobId, false)) this.#retried++;
    },
    heard: (jobId) => this.#sent.heard(jobId),
    restored: () => this.#reconciler.checkAll(),
    unreachable: (error) => {
      for (const group of this.#groups.values()) {
        for (const entry of group.entries) entry.settle(error);
      }
      this.#groups.clear();
      this.#sent.failAll(error);
    },
  };

  #enqueue(named: NamedTask, run: TaskRun, release: Release): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const entry = new Entry(run, { resolve, reject }, release, this.#settled);
      this.#open++;
      entry.detach = onAbort(run.controller, (error) => entry.settle(error));
      if (entry.settled) return;
      const key = `${named.name}|${run.timeout ?? ''}|${run.priority}`;
      let group = this.#groups.get(key);
      if (!group) {
        group = { named, timeout: run.timeout, priority: run.priority, entries: [] };
        this.#groups.set(key, group);
      }
      group.entries.push(entry);
      this.#scheduleFlush();
    });
  }

  /** A task settled: its slot is free; a job whose tasks were all cancelled is given up. */
  readonly #settled = (entry: Entry): void => {
    this.#open--;
    this.#room.check();
    const { job } = entry;
    if (job && isAborted(entry.run.controller) && this.#sent.abandon(job)) {
      this.#cleanup.abandoned(job.id);
    }
  };

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // Tasks submitted in the same turn of the event loop (a map's window) share jobs.
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flush().catch(noop);
    });
  }

  async #flush(): Promise<void> {
    const groups = [...this.#groups.values()];
    this.#groups.clear();
    const engine = await this.#connect().catch((error: Error) => {
      for (const group of groups) for (const entry of group.entries) entry.settle(error);
      return undefined;
    });
    if (!engine) return;
    const jobs: BulkJob[] = [];
    for (const group of groups) {
      let waiting = group.entries.filter((entry) => !entry.settled);
      while (waiting.length > 0) {
        const size = this.#sizer.next(
          group.named.name,
          waiting.length,
          this.#sent.size,
          this.#workers,
        );
        const job = this.#makeJob(group, waiting.slice(0, size));
        waiting = waiting.slice(size);
        if (job) jobs.push(job);
      }
    }
    if (jobs.length === 0) return;
    const ids = jobs.map((job) => job.opts?.jobId ?? '');
    try {
      await engine.queue.addBulk(jobs);
      for (const jobId of ids) this.#sent.added(jobId, engine.runId);
    } catch (error) {
      for (const jobId of ids) this.#sent.fail(jobId, toError(error));
    }
  }

  /** Encodes one chunk and registers it (before it is added: its events may come first). */
  #makeJob(group: Group, chunk: Entry[]): BulkJob | undefined {
    const inputs = encodeInputs(chunk.map((entry) => entry.run.input));
    if (typeof inputs !== 'string') {
      // Settle the inputs that cannot be sent on their own, and send the rest.
      const sendable = chunk.filter((entry, index) => {
        const unsendable = inputs[index];
        if (unsendable) entry.settle(unsendable);
        return !unsendable;
      });
      if (sendable.length === chunk.length) {
        const error = new SerializationError('input', 'cannot be cloned to send it');
        for (const entry of chunk) entry.settle(error);
        return undefined;
      }
      return sendable.length > 0 ? this.#makeJob(group, sendable) : undefined;
    }
    const { named, timeout, priority } = group;
    const jobId = `${this.#id}-${++this.#jobs}`;
    this.#sent.register(jobId, named.name, chunk);
    const data: ChunkJob = {
      v: PROTOCOL_VERSION,
      module: named.module,
      export: named.task.exportName,
      inputs,
      count: chunk.length,
      ...(timeout === undefined ? {} : { timeout }),
    };
    return {
      name: named.name,
      data,
      opts: {
        jobId,
        priority: Math.min(Math.max(Math.round(PRIORITY_ZERO - priority), 1), 2_097_151),
        attempts: this.#options.retries + 1,
        backoff: { type: 'exponential', delay: RETRY_BACKOFF_MS },
        // Kept until this executor has read the result: its event may never reach us.
        removeOnComplete: KEEP_FINISHED,
        removeOnFail: KEEP_FINISHED,
      },
    };
  }

  /** A job's progress event: a task's progress report, or outcomes settled before the job ends. */
  #progress(jobId: string, data: unknown): void {
    const progress = data as Partial<Record<'index' | 'value' | 'outcomes', unknown>> | null;
    if (typeof progress !== 'object' || progress === null) return;
    if (typeof progress.index === 'number') {
      this.#sent.heard(jobId)?.entries[progress.index]?.run.progress(progress.value);
    } else if (typeof progress.outcomes === 'string') {
      this.#sent.streamed(jobId, progress.outcomes);
    }
  }

  /**
   * `stats().workers` is the number of `switchyard worker` processes serving the queue, as
   * Redis last listed them: counted when the executor connects, then again at most once a
   * second while stats are read (stats() cannot wait for Redis); 0 before the first task, and
   * where Redis refuses CLIENT LIST.
   */
  #refreshWorkerCount(): void {
    if (!this.#live || Date.now() - this.#workersCheckedAt < 1_000) return;
    this.#countWorkers(this.#live).catch(noop);
  }

  async #countWorkers(engine: Engine): Promise<void> {
    this.#workersCheckedAt = Date.now();
    this.#workers = await engine.queue.getWorkersCount();
  }
}

/**
 * Fails fast on a misspelt export when the task's module is importable here too (the usual
 * case: the caller references its own code). A module only the workers have is left to them.
 */
async function checkExport(ref: Task<unknown, unknown>): Promise<void> {
  try {
    await loadTask(ref);
  } catch (error) {
    if (error instanceof TaskNotFoundError && error.exportName !== undefined) throw error;
  }
}

function noop(): void {}

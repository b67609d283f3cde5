/**
 * The executor's side of `distributed`: a {@link Runner} that packs waiting tasks into
 * BullMQ jobs (one job per chunk of inputs), adds them to the queue, and settles each task
 * from the queue's event stream (`QueueEvents`) — results are streamed back, never polled
 * job by job. Each input is settled once, whatever the stream delivers twice, so every
 * input yields exactly once even when a dead worker's job is run again elsewhere.
 *
 * Chunks are formed here, from the tasks started in one turn of the event loop (a map's
 * window, a burst of submits), rather than through the front's `runChunk` seam: that seam
 * settles a chunk as a whole, whereas here every input keeps its own promise, so the
 * outcomes a worker streams back while the rest of its chunk runs settle at once — a
 * failure is seen in time, and results flow while a long chunk still runs.
 *
 * BullMQ and ioredis are imported on first use, so `import 'switchyard'` stays light.
 */
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { builtin } from '../../core/builtins.js';
import {
  CancelledError,
  type RedisConnectionError,
  SerializationError,
  TaskNotFoundError,
  toError,
  WorkerCrashedError,
} from '../../core/errors.js';
import { loadBullmq } from '../../core/peers.js';
import type { Runner, RunnerLoad, TaskRun } from '../../core/runner.js';
import { describeTask, isTask, type Task, type TaskLike } from '../../core/task.js';
import { fromWire } from '../../core/wire.js';
import { onAbort } from '../../primitives/abort.js';
import { type Release, Semaphore } from '../../primitives/semaphore.js';
import { loadTask } from '../../task/loader.js';
import { ChunkSizer } from './chunk-size.js';
import {
  type ConnectionOption,
  type ConnectionWatch,
  describeConnection,
  openRedis,
  watchConnection,
} from './connection.js';
import {
  type ChunkJob,
  type ChunkResult,
  cancelChannel,
  decodeArray,
  encodeInputs,
  type Outcome,
  PROTOCOL_VERSION,
} from './protocol.js';

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
}

interface Entry {
  readonly run: TaskRun;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  detach: () => void;
  /** Gives back the entry's concurrency slot. */
  release: Release;
  settled: boolean;
}

/** Tasks waiting to be sent that can share a job: same task, timeout and priority. */
interface Group {
  readonly task: Task<unknown, unknown>;
  readonly timeout: number | undefined;
  readonly priority: number;
  readonly entries: Entry[];
}

/** A job in the queue and the tasks it carries, in input order. */
interface Sent {
  readonly task: Task<unknown, unknown>;
  readonly entries: readonly Entry[];
  active: boolean;
}

interface Engine {
  readonly queue: Queue;
  readonly events: QueueEvents;
  readonly clients: readonly Redis[];
  readonly watch: ConnectionWatch;
}

export class DistributedRunner implements Runner<Task<unknown, unknown>> {
  readonly mode = 'distributed' as const;
  readonly concurrency: number;
  readonly mapWindow: number;
  readonly #options: DistributedOptions;
  readonly #where: string;
  /** Unique per executor: job ids are `<id>-<n>`, so events of other executors are ignored. */
  readonly #id = nodeCrypto().randomBytes(6).toString('hex');
  readonly #groups = new Map<string, Group>();
  readonly #sent = new Map<string, Sent>();
  readonly #sizer = new ChunkSizer();
  readonly #slots: Semaphore;
  #engine: Promise<Engine> | undefined;
  #flushScheduled = false;
  #jobs = 0;
  #retried = 0;
  #workers = 0;
  #workersCheckedAt = 0;

  constructor(options: DistributedOptions) {
    this.#options = options;
    this.#where = describeConnection(options.connection);
    this.concurrency = options.concurrency;
    this.mapWindow = options.concurrency;
    this.#slots = new Semaphore(options.concurrency);
  }

  async prepare(task: TaskLike<never, unknown>): Promise<Task<unknown, unknown>> {
    if (!isTask(task)) {
      throw new TypeError(
        `the distributed executor needs a task reference, got ${typeof task === 'function' ? `the plain function ${describeTask(task)}` : typeof task}: functions cannot travel to other machines; export it from a module started with \`switchyard worker --tasks\` and pass task(new URL('./jobs.js', import.meta.url), 'name')`,
      );
    }
    await Promise.all([this.#connect(), checkExport(task)]);
    return task;
  }

  async run(task: Task<unknown, unknown>, run: TaskRun): Promise<unknown> {
    const release = await this.#slots.acquire({ signal: run.controller.signal });
    return new Promise((resolve, reject) => {
      const entry: Entry = { run, resolve, reject, detach: noop, release, settled: false };
      entry.detach = onAbort(run.controller.signal, (error) => this.#settle(entry, error));
      if (entry.settled) return;
      const key = `${taskKey(task)}|${run.timeout ?? ''}|${run.priority}`;
      let group = this.#groups.get(key);
      if (!group) {
        group = { task, timeout: run.timeout, priority: run.priority, entries: [] };
        this.#groups.set(key, group);
      }
      group.entries.push(entry);
      this.#scheduleFlush();
    });
  }

  load(): RunnerLoad {
    let running = 0;
    let queued = 0;
    for (const sent of this.#sent.values()) {
      const open = sent.entries.filter((entry) => !entry.settled).length;
      if (sent.active) running += open;
      else queued += open;
    }
    for (const group of this.#groups.values()) {
      queued += group.entries.filter((entry) => !entry.settled).length;
    }
    queued += this.#slots.waiting;
    this.#refreshWorkerCount();
    return {
      workers: this.#workers,
      running,
      queued,
      retried: this.#retried,
      utilization: 0,
    };
  }

  async close(): Promise<void> {
    const engine = await this.#engine?.catch(() => undefined);
    this.#engine = undefined;
    if (!engine) return;
    engine.watch.stop();
    // A Redis that is gone would keep BullMQ's close waiting: give it a moment, then cut.
    await Promise.race([
      Promise.allSettled([engine.events.close(), engine.queue.close()]),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]);
    for (const client of engine.clients) client.disconnect();
  }

  #connect(): Promise<Engine> {
    this.#engine ??= this.#open().catch((error: unknown) => {
      this.#engine = undefined;
      throw error;
    });
    return this.#engine;
  }

  async #open(): Promise<Engine> {
    const [{ Queue, QueueEvents }, commands, reader] = await Promise.all([
      loadBullmq(),
      openRedis(this.#options.connection, `switchyard-executor-${this.#id}`),
      openRedis(this.#options.connection, `switchyard-executor-${this.#id}-events`),
    ]);
    const clients = [commands, reader];
    const watch = watchConnection(clients, this.#where, (error) => this.#failAll(error));
    try {
      await watch.ready;
    } catch (error) {
      watch.stop();
      for (const client of clients) client.disconnect();
      throw error;
    }
    // Read events from this instant on: every job this executor adds comes later.
    const [seconds, micros] = await commands.time();
    const lastEventId = `${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)}-0`;
    const queue = new Queue(this.#options.queue, { connection: commands });
    const events = new QueueEvents(this.#options.queue, { connection: reader, lastEventId });
    // Connection trouble is reported by the watchdog; BullMQ's own copies add nothing.
    queue.on('error', noop);
    events.on('error', noop);
    events.on('completed', ({ jobId, returnvalue }) =>
      this.#completed(jobId, returnvalue as unknown as ChunkResult),
    );
    events.on('failed', ({ jobId, failedReason }) => this.#failed(jobId, failedReason));
    events.on('active', ({ jobId }) => this.#mark(jobId, true));
    events.on('stalled', ({ jobId }) => {
      if (this.#mark(jobId, false)) this.#retried++;
    });
    events.on('progress', ({ jobId, data }) => this.#progress(jobId, data));
    // So that stats().workers counts the cluster from the first task on.
    await this.#countWorkers(queue).catch(noop);
    return { queue, events, clients, watch };
  }

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
      for (const group of groups) for (const entry of group.entries) this.#settle(entry, error);
      return undefined;
    });
    if (!engine) return;
    const jobs: Parameters<Queue['addBulk']>[0] = [];
    for (const group of groups) {
      let waiting = group.entries.filter((entry) => !entry.settled);
      while (waiting.length > 0) {
        const size = this.#sizer.next(
          taskKey(group.task),
          waiting.length,
          this.#sent.size,
          this.#workers,
        );
        const chunk = waiting.slice(0, size);
        waiting = waiting.slice(size);
        const job = this.#makeJob(group, chunk);
        if (job) jobs.push(job);
      }
    }
    if (jobs.length === 0) return;
    try {
      await engine.queue.addBulk(jobs);
    } catch (error) {
      for (const job of jobs) this.#failJob(job.opts?.jobId ?? '', toError(error));
    }
  }

  /** Encodes one chunk and registers it (before it is added: its events may come first). */
  #makeJob(group: Group, chunk: Entry[]): Parameters<Queue['addBulk']>[0][number] | undefined {
    const inputs = encodeInputs(chunk.map((entry) => entry.run.input));
    if (typeof inputs !== 'string') {
      // Settle the inputs that cannot be sent on their own, and send the rest.
      const sendable = chunk.filter((entry, index) => {
        const unsendable = inputs[index];
        if (unsendable) this.#settle(entry, unsendable);
        return !unsendable;
      });
      if (sendable.length === chunk.length) {
        const error = new SerializationError('input', 'cannot be cloned to send it');
        for (const entry of chunk) this.#settle(entry, error);
        return undefined;
      }
      return sendable.length > 0 ? this.#makeJob(group, sendable) : undefined;
    }
    const jobId = `${this.#id}-${++this.#jobs}`;
    this.#sent.set(jobId, { task: group.task, entries: chunk, active: false });
    const data: ChunkJob = {
      v: PROTOCOL_VERSION,
      module: group.task.moduleUrl,
      export: group.task.exportName,
      inputs,
      count: chunk.length,
      ...(group.timeout === undefined ? {} : { timeout: group.timeout }),
    };
    return {
      name: describeTask(group.task),
      data,
      opts: {
        jobId,
        priority: Math.min(Math.max(Math.round(PRIORITY_ZERO - group.priority), 1), 2_097_151),
        attempts: this.#options.retries + 1,
        backoff: { type: 'exponential', delay: RETRY_BACKOFF_MS },
        removeOnComplete: true,
        removeOnFail: { age: 24 * 3600, count: 1_000 },
      },
    };
  }

  #completed(jobId: string, result: ChunkResult): void {
    const sent = this.#take(jobId);
    if (!sent) return;
    const outcomes = this.#settleOutcomes(sent, result.outcomes);
    if (!outcomes) return;
    this.#sizer.observe(taskKey(sent.task), result.ms, outcomes.length);
    if (result.attempt > 1) this.#retried += result.attempt - 1;
    sent.entries.forEach((entry, index) => {
      if (!outcomes[index]) {
        this.#settle(entry, new Error(`worker returned no outcome for input ${index}`));
      }
    });
  }

  #failed(jobId: string, reason: string): void {
    const sent = this.#take(jobId);
    if (!sent) return;
    const error = /stalled more than allowable limit/.test(reason)
      ? new WorkerCrashedError(
          {},
          'the switchyard worker process running it stopped answering, and so did the one that took it over',
        )
      : new Error(
          `the distributed worker failed job ${jobId} of ${describeTask(sent.task)}: ${reason}`,
        );
    this.#failJob(jobId, error, sent);
  }

  #failJob(jobId: string, error: Error, sent = this.#take(jobId)): void {
    for (const entry of sent?.entries ?? []) this.#settle(entry, error);
  }

  /** Removes a job from those awaited: the first completion wins, later copies are ignored. */
  #take(jobId: string): Sent | undefined {
    const sent = this.#sent.get(jobId);
    this.#sent.delete(jobId);
    return sent;
  }

  #mark(jobId: string, active: boolean): boolean {
    const sent = this.#sent.get(jobId);
    if (sent) sent.active = active;
    return sent !== undefined;
  }

  /** A job's progress event: a task's progress report, or outcomes settled before the job ends. */
  #progress(jobId: string, data: unknown): void {
    const sent = this.#sent.get(jobId);
    const progress = data as Partial<Record<'index' | 'value' | 'outcomes', unknown>> | null;
    if (!sent || typeof progress !== 'object' || progress === null) return;
    if (typeof progress.index === 'number') {
      sent.entries[progress.index]?.run.progress(progress.value);
    } else if (typeof progress.outcomes === 'string') {
      this.#settleOutcomes(sent, progress.outcomes);
    }
  }

  /**
   * Settles the inputs of `sent` that `encoded` (one entry per input, `undefined` or a hole
   * for those it does not carry) has outcomes for;
   * entries already settled, by an earlier message or an earlier attempt, stay as they are.
   */
  #settleOutcomes(sent: Sent, encoded: string): (Outcome | undefined)[] | undefined {
    try {
      const outcomes = decodeArray(encoded, 'outcomes') as (Outcome | undefined)[];
      outcomes.forEach((outcome, index) => {
        const entry = sent.entries[index];
        // No outcome here: not in this batch, or (a job's result) already streamed.
        if (!entry || !outcome) return;
        if (outcome.ok) this.#settle(entry, undefined, outcome.value);
        else this.#settle(entry, fromWire(outcome.error));
      });
      return outcomes;
    } catch (error) {
      // Unreadable: what it was to settle must not wait for it forever.
      for (const entry of sent.entries) this.#settle(entry, toError(error));
      return undefined;
    }
  }

  /** Redis refused us or is gone: nothing pending may wait for it. */
  #failAll(error: RedisConnectionError): void {
    for (const group of this.#groups.values()) {
      for (const entry of group.entries) this.#settle(entry, error);
    }
    this.#groups.clear();
    for (const jobId of [...this.#sent.keys()]) this.#failJob(jobId, error);
  }

  #settle(entry: Entry, error: Error | undefined, value?: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.detach();
    entry.release();
    if (error) entry.reject(error);
    else entry.resolve(value);
    if (error instanceof CancelledError || entry.run.controller.signal.aborted) {
      this.#cancelAbandonedJobs();
    }
  }

  /**
   * A job whose every task was cancelled is dropped from the queue if no worker took it
   * yet, and otherwise its worker is told to abort it (its tasks' `ctx.signal` fires).
   */
  #cancelAbandonedJobs(): void {
    for (const [jobId, sent] of this.#sent) {
      if (!sent.entries.every((entry) => entry.settled)) continue;
      this.#sent.delete(jobId);
      this.#engine
        ?.then(async (engine) => {
          await engine.queue.remove(jobId).catch(noop);
          await engine.clients[0]!.publish(cancelChannel(this.#options.queue), jobId);
        })
        .catch(noop);
    }
  }

  /**
   * `stats().workers` is the number of `switchyard worker` processes serving the queue, as
   * Redis last listed them: counted when the executor connects, then again at most once a
   * second while stats are read (stats() cannot wait for Redis); 0 before the first task, and
   * where Redis refuses CLIENT LIST.
   */
  #refreshWorkerCount(): void {
    if (!this.#engine || Date.now() - this.#workersCheckedAt < 1_000) return;
    this.#engine.then((engine) => this.#countWorkers(engine.queue)).catch(noop);
  }

  async #countWorkers(queue: Queue): Promise<void> {
    this.#workersCheckedAt = Date.now();
    this.#workers = await queue.getWorkersCount();
  }
}

function taskKey(task: Task<unknown, unknown>): string {
  return `${task.moduleUrl}#${task.exportName}`;
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

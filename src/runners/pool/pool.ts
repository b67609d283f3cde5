/**
 * The one pool core behind `threads` and `processes`: a priority queue with backpressure,
 * workers started on demand and replaced when they die, timeouts and cancellation that
 * stop runaway work for real, retries after crashes, recycling, and stats. Workers are
 * reached only through a {@link TransportSpec}, the one thing the two modes do differently.
 *
 * The pool keeps a mirror of each worker's own queue: a worker runs `tasksPerWorker` jobs
 * at once and holds the rest in arrival order, and the pool moves a job from "sent" to
 * "running" when the worker answers the one before it. That mirror starts a job's timeout
 * clock when the job starts (never while it waits) and lets short tasks be sent ahead
 * (pipelined) so the caller never waits a round trip per task.
 *
 * When a worker dies, the input that killed it fails alone (or is retried) and every other
 * job it had goes back in line. Threads name that input through memory shared with the
 * pool, so a worker may answer a whole batch of jobs in one message; a process cannot, so
 * it answers each job before starting the next and the mirror's running job is the one
 * to blame — a whole chunk, for a `map` chunk.
 */
import type { ResourceLimits, TransferListItem } from 'node:worker_threads';
import {
  CancelledError,
  SerializationError,
  TaskError,
  TimeoutError,
  WorkerCrashedError,
} from '../../core/errors.js';
import { describeTask, type Task } from '../../core/task.js';
import type { PoolDetails } from '../../core/types.js';
import { findUnsendable } from '../../core/unsendable.js';
import { fromWire, isSwitchyardWire, toWire, type WireError } from '../../core/wire.js';
import { abortError, isAborted, onAbort } from '../../primitives/abort.js';
import { Fifo, type FifoNode } from '../../primitives/fifo.js';
import { packRuns, unpackDones } from './pack.js';
import type { DoneMessage, FromWorker, ToWorker } from './protocol.js';
import { PriorityQueue } from './queue.js';
import { Samples } from './samples.js';
import type { Transport, TransportSpec, WorkerDeath } from './transport.js';

export interface PoolOptions {
  readonly transport: TransportSpec;
  /** Most workers. */
  readonly workers: number;
  /** Workers kept when idle (the rest stop after `idleTimeout`). */
  readonly minWorkers: number;
  readonly tasksPerWorker: number;
  readonly idleTimeout: number;
  readonly maxTasksPerWorker: number;
  readonly retries: number;
  readonly maxQueue: number;
  readonly resourceLimits?: ResourceLimits | undefined;
  /** ms between a task's signal firing (timeout, cancel) and its worker being stopped. */
  readonly grace: number;
}

/** A task module export known to the pool. */
export interface PoolTask {
  readonly taskId: number;
  readonly ref: Task<unknown, unknown>;
  readonly name: string;
  /** Average ms one input of this task runs, measured in the workers; what adaptive chunking is sized from. */
  inputMs: number | undefined;
}

/** What a job gives back: outputs by offset, and the inputs that failed on their own. */
export interface JobOutcome {
  readonly values: readonly unknown[];
  readonly failures?: ReadonlyMap<number, Error> | undefined;
}

/** One unit of dispatch: one input of `submit`, or a chunk of a `map`. */
export interface JobRequest {
  readonly task: PoolTask;
  readonly inputs: readonly unknown[];
  /** Aborted from outside (cancel) or by the pool itself (timeout). */
  readonly controller: AbortController;
  /** ms the job may run, from when it starts running. */
  readonly timeout: number | undefined;
  readonly priority: number;
  readonly transfer?: readonly TransferListItem[] | undefined;
  readonly progress: (value: unknown, offset: number) => void;
}

export interface PoolStats {
  readonly workers: number;
  readonly running: number;
  readonly queued: number;
  readonly retried: number;
  readonly utilization: number;
  readonly pool: PoolDetails;
}

interface Probe {
  readonly task: PoolTask;
  readonly settle: (outcome: WireError | Error | undefined) => void;
}

type JobState = 'queued' | 'sent' | 'running' | 'done';

interface Job extends JobRequest {
  /** Shrinks when an input crashes its worker: the rest run again without it. */
  inputs: readonly unknown[];
  /** `origin[i]`: where `inputs[i]` was in the job as asked for; `undefined` while unchanged. */
  origin: number[] | undefined;
  /** Inputs taken out of the job because they failed on their own (crashed their worker, could not be sent), by original offset. */
  failed: Map<number, Error> | undefined;
  readonly id: number;
  /** Settled with the {@link JobOutcome}; or, for `single` jobs (`runOne`), with the output itself. */
  readonly resolve: (answer: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Answered like a plain task: its output, or its one failure as a rejection. */
  readonly single: boolean;
  state: JobState;
  /** The caller has its answer (a cancelled job may still be running in its worker). */
  answered: boolean;
  attempts: number;
  readonly queuedAt: number;
  place: FifoNode<Job> | undefined;
  /** Its place among the jobs its worker holds, while it is held. */
  heldAt: FifoNode<Job> | undefined;
  worker: PoolWorker | undefined;
  timer: NodeJS.Timeout | undefined;
}

interface PoolWorker {
  readonly id: number;
  readonly transport: Transport;
  readonly startedAt: number;
  /** Jobs the worker runs now (the mirror), and those it holds in arrival order. */
  readonly running: Set<Job>;
  readonly held: Fifo<Job>;
  readonly loaded: Set<number>;
  outbox: ToWorker[];
  transfer: TransferListItem[];
  /** Inputs sent to it, for `maxTasksPerWorker`. */
  sent: number;
  completed: number;
  busyMs: number;
  /** Answered at least once: it can start, so a replacement is worth starting. */
  proven: boolean;
  /** What the transport was last told: the worker holds the caller's process open. */
  holdsProcess: boolean;
  /** Why the pool stops it, when it does; anything else ending it is a crash. */
  stopping: string | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  /** Callers waiting to hear whether a task loads: a failure, a crash, or `undefined` (it loaded). */
  probes: Map<number, Probe>;
  exited: Promise<void>;
}

/** Short jobs are sent ahead to a busy worker until it holds about this much work… */
const PIPELINE_MS = 2;
/** …but never more than this many jobs ahead. */
const MAX_AHEAD = 2048;

export class Pool {
  readonly #options: PoolOptions;
  readonly #queue = new PriorityQueue<Job>();
  /** Jobs accepted while the queue was at `maxQueue`, waiting for room. */
  readonly #overflow: Job[] = [];
  readonly #workers = new Set<PoolWorker>();
  readonly #jobs = new Map<number, Job>();
  /** Controllers {@link #watch} listens to. */
  readonly #watched = new WeakSet<AbortController>();
  readonly #tasks = new Map<string, PoolTask>();
  readonly #runTimes = new Samples();
  readonly #waitTimes = new Samples();
  #nextJobId = 1;
  #nextWorkerId = 1;
  #nextTaskId = 1;
  #running = 0;
  #retried = 0;
  /** Average ms per job, measured; `undefined` until the first job finishes. */
  #jobMs: number | undefined;
  #busyMsOfDead = 0;
  #lifeMsOfDead = 0;
  #closed = false;

  constructor(options: PoolOptions) {
    this.#options = options;
  }

  /** The pool's handle for a task reference (one per module export). */
  task(ref: Task<unknown, unknown>): PoolTask {
    const key = `${ref.moduleUrl}#${ref.exportName}`;
    let known = this.#tasks.get(key);
    if (!known) {
      known = { taskId: this.#nextTaskId++, ref, name: describeTask(ref), inputMs: undefined };
      this.#tasks.set(key, known);
    }
    return known;
  }

  /**
   * Loads the task in every worker (starting them all on first use, so that a burst finds
   * them ready) and settles with the first answer that says something about
   * the task: loaded (work may start), or missing (`TaskNotFoundError`) or throwing on
   * import (`TaskError`). A worker that crashes says nothing about the task: only if every
   * one does is that the answer. Workers still loading take no work until they answer
   * (see {@link #pickWorker}), so the first jobs go where the task is ready instead of
   * waiting for the slowest worker to start.
   */
  probe(task: PoolTask): Promise<void> {
    while (this.#workers.size < this.#options.workers) this.#spawn();
    const live = [...this.#workers].filter((w) => !w.stopping);
    const asked = live.length > 0 ? live : [this.#spawn()];
    return firstAnswer(asked.map((w) => this.#probeOne(w, task)));
  }

  #probeOne(worker: PoolWorker, task: PoolTask): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      worker.probes.set(task.taskId, {
        task,
        settle: (failure) => {
          if (!failure) return resolve();
          if (failure instanceof Error) return reject(failure);
          // The loader's own verdict (TaskNotFoundError, or TaskError for a module that
          // threw while importing) comes back as its class; anything else was the task's.
          const error = fromWire(failure);
          reject(isSwitchyardWire(failure) ? error : new TaskError(error, task.name));
        },
      });
      // Sent even if sent before: the loader caches what loaded and retries what failed.
      this.#load(worker, task);
      this.#keepAlive(worker);
    });
  }

  /** Queues a job; settles with its outcome, or rejects with a switchyard error. */
  run(request: JobRequest): Promise<JobOutcome> {
    return new Promise<JobOutcome>((resolve, reject) =>
      this.#accept(request, resolve, reject, false),
    );
  }

  /** Queues a job of one input; settles with its output, or rejects with its error. */
  runOne(request: JobRequest): Promise<unknown> {
    return new Promise((resolve, reject) => this.#accept(request, resolve, reject, true));
  }

  #accept(
    request: JobRequest,
    resolve: (answer: never) => void,
    reject: (error: Error) => void,
    single: boolean,
  ): void {
    const { controller } = request;
    if (isAborted(controller)) {
      reject(abortError(controller));
      return;
    }
    if (this.#closed) {
      reject(new CancelledError('cancelled because the pool was closed'));
      return;
    }
    // Spelled out rather than spread: one object shape for every job keeps this path fast.
    const job: Job = {
      task: request.task,
      inputs: request.inputs,
      controller,
      timeout: request.timeout,
      priority: request.priority,
      transfer: request.transfer,
      progress: request.progress,
      origin: undefined,
      failed: undefined,
      id: this.#nextJobId++,
      resolve: resolve as (answer: unknown) => void,
      reject,
      single,
      state: 'queued',
      answered: false,
      attempts: 0,
      queuedAt: performance.now(),
      place: undefined,
      heldAt: undefined,
      worker: undefined,
      timer: undefined,
    };
    this.#watch(controller);
    this.#enqueue(job);
    this.#dispatch();
  }

  stats(): PoolStats {
    let busy = this.#busyMsOfDead;
    let life = this.#lifeMsOfDead;
    const now = performance.now();
    const perWorker: { id: number; tasks: number; running: number }[] = [];
    let held = 0;
    for (const w of this.#workers) {
      held += w.held.size;
      busy += w.busyMs;
      life += now - w.startedAt;
      perWorker.push({ id: w.id, tasks: w.completed, running: w.running.size });
    }
    const capacity = life * this.#options.tasksPerWorker;
    return {
      workers: this.#workers.size,
      running: this.#running,
      // Jobs sent ahead to a busy worker are still waiting to run.
      queued: this.#queue.size + this.#overflow.length + held,
      retried: this.#retried,
      utilization: capacity > 0 ? Math.min(1, busy / capacity) : 0,
      pool: {
        perWorker,
        runTime: this.#runTimes.percentiles(),
        waitTime: this.#waitTimes.percentiles(),
      },
    };
  }

  /**
   * Stops every worker. Jobs still queued or running are cancelled; a running one gets its
   * signal and the grace period to end before its worker is stopped.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const reason = new CancelledError('cancelled because the pool was closed');
    for (const job of [...this.#jobs.values()]) this.#cancel(job, reason);
    const exits = [...this.#workers].map((w) => {
      if (this.#idle(w)) this.#stop(w, CLOSED);
      else setTimeout(() => this.#stop(w, CLOSED), this.#options.grace);
      return w.exited;
    });
    await Promise.all(exits);
  }

  // ── queueing ─────────────────────────────────────────────────────────────────────

  #enqueue(job: Job): void {
    this.#jobs.set(job.id, job);
    job.state = 'queued';
    job.worker = undefined;
    if (this.#queue.size >= this.#options.maxQueue) this.#overflow.push(job);
    else job.place = this.#queue.push(job, job.priority);
  }

  #dispatch(): void {
    if (this.#closed) return;
    while (this.#queue.size + this.#overflow.length > 0) {
      const worker = this.#pickWorker();
      if (!worker) break;
      const job = this.#queue.shift() ?? this.#overflow.shift()!;
      job.place = undefined;
      this.#admit();
      this.#send(worker, job);
    }
  }

  /** Moves jobs that waited for room (`maxQueue`) into the queue while it has room. */
  #admit(): void {
    while (this.#overflow.length > 0 && this.#queue.size < this.#options.maxQueue) {
      const job = this.#overflow.shift()!;
      job.place = this.#queue.push(job, job.priority);
    }
  }

  /**
   * A worker with a free slot; else a new one; else one that can hold more short jobs.
   * Never one still loading a task: its first answer may be tens of ms away.
   */
  #pickWorker(): PoolWorker | undefined {
    const { tasksPerWorker, workers } = this.#options;
    let roomy: PoolWorker | undefined;
    let roomyLoad = Number.POSITIVE_INFINITY;
    const ahead = this.#ahead();
    for (const w of this.#workers) {
      if (w.stopping || w.sent >= this.#options.maxTasksPerWorker || w.probes.size > 0) continue;
      const load = w.running.size + w.held.size;
      if (w.running.size < tasksPerWorker && w.held.size === 0) return w;
      if (load < tasksPerWorker + ahead && load < roomyLoad) {
        roomy = w;
        roomyLoad = load;
      }
    }
    if (this.#workers.size < workers) return this.#spawn();
    return roomy;
  }

  /** How many jobs may wait inside a busy worker: enough to cover about {@link PIPELINE_MS}. */
  #ahead(): number {
    const ms = this.#jobMs;
    if (ms === undefined) return 0;
    return Math.min(MAX_AHEAD, Math.floor(PIPELINE_MS / Math.max(ms, 1e-6)));
  }

  #send(worker: PoolWorker, job: Job): void {
    job.worker = worker;
    job.state = 'sent';
    this.#ensureLoaded(worker, job.task);
    this.#post(
      worker,
      { kind: 'run', jobId: job.id, taskId: job.task.taskId, inputs: job.inputs },
      job.transfer,
    );
    worker.sent += job.inputs.length;
    this.#waitTimes.add(performance.now() - job.queuedAt);
    if (worker.running.size < this.#options.tasksPerWorker) this.#start(worker, job);
    else job.heldAt = worker.held.push(job);
    this.#keepAlive(worker);
  }

  #start(worker: PoolWorker, job: Job): void {
    worker.running.add(job);
    job.state = 'running';
    this.#running++;
    if (job.answered) this.#stopAfterGrace(job);
    else if (job.timeout !== undefined) {
      const { timeout } = job;
      job.timer = setTimeout(
        () => job.controller.abort(new TimeoutError(timeout, `task ${job.task.name}`)),
        timeout,
      );
    }
  }

  // ── cancellation and timeouts ────────────────────────────────────────────────────

  /**
   * Listens to a job's controller, once per controller: many jobs share one (a map's, the
   * executor's), and a listener per job cost each `submit` three objects. When it aborts,
   * which is rare, the jobs it governs are found by a walk over the live ones.
   */
  #watch(controller: AbortController): void {
    if (this.#watched.has(controller)) return;
    this.#watched.add(controller);
    onAbort(controller, () => {
      for (const job of [...this.#jobs.values()]) {
        if (job.controller === controller && !job.answered)
          this.#cancel(job, abortError(controller));
      }
    });
  }

  /** Answers the caller with `error`; a queued job leaves the line, a dispatched one gets its signal. */
  #cancel(job: Job, error: Error): void {
    if (job.answered) return;
    if (job.state === 'queued') {
      if (job.place) this.#queue.remove(job.place, job.priority);
      else this.#overflow.splice(this.#overflow.indexOf(job), 1);
      this.#admit();
      this.#forget(job);
      this.#answer(job, error);
      this.#dispatch();
      return;
    }
    this.#answer(job, error);
    const worker = job.worker!;
    this.#post(worker, { kind: 'cancel', jobId: job.id, reason: toWire(error) });
    if (job.state === 'running') this.#stopAfterGrace(job);
  }

  /** A job told to stop gets `grace` ms to answer; then its worker is stopped and replaced. */
  #stopAfterGrace(job: Job): void {
    clearTimeout(job.timer);
    job.timer = setTimeout(() => {
      const worker = job.worker;
      if (worker && job.state === 'running')
        this.#stop(worker, `stopped because task ${job.task.name} ignored its signal`);
    }, this.#options.grace);
  }

  // ── answers from workers ─────────────────────────────────────────────────────────

  #onMessages(worker: PoolWorker, batch: readonly FromWorker[]): void {
    worker.proven = true;
    for (const message of batch) {
      if (message.kind === 'done') this.#onDone(worker, message);
      else if (message.kind === 'progress') {
        const job = this.#jobs.get(message.jobId);
        if (job && !job.answered) job.progress(message.value, originOf(job, message.offset));
      } else {
        const probe = worker.probes.get(message.taskId);
        worker.probes.delete(message.taskId);
        probe?.settle(message.error);
      }
    }
    this.#dispatch();
    this.#keepAlive(worker);
  }

  #onDone(worker: PoolWorker, done: DoneMessage): void {
    const job = this.#jobs.get(done.jobId);
    if (!job || job.worker !== worker) return;
    this.#leaveMirror(worker, job);
    job.state = 'done';
    this.#forget(job);
    if (!done.dropped) {
      const n = job.inputs.length;
      worker.completed += n;
      worker.busyMs += done.ms;
      this.#runTimes.add(done.ms / n);
      this.#jobMs = average(this.#jobMs, done.ms);
      job.task.inputMs = average(job.task.inputMs, done.ms / n);
    }
    if (!job.answered) this.#resolve(job, done.values, this.#failures(job, done));
    while (worker.running.size < this.#options.tasksPerWorker && worker.held.size > 0)
      this.#start(worker, worker.held.shift()!);
    if (this.#idle(worker) && (this.#closed || worker.sent >= this.#options.maxTasksPerWorker))
      this.#stop(
        worker,
        this.#closed ? CLOSED : `recycled after ${worker.sent} tasks (maxTasksPerWorker)`,
      );
  }

  /** Answers the caller with outputs by offset in the job's current inputs, put back in its original places. */
  #resolve(job: Job, values: readonly unknown[], failures: Map<number, Error> | undefined): void {
    job.answered = true;
    const { origin, failed } = job;
    if (origin) {
      const placed: unknown[] = [];
      const all = new Map(failed);
      origin.forEach((original, offset) => {
        placed[original] = values[offset];
      });
      for (const [offset, error] of failures ?? []) all.set(origin[offset]!, error);
      this.#deliver(job, placed, all);
    } else this.#deliver(job, values, failures);
  }

  #deliver(
    job: Job,
    values: readonly unknown[],
    failures: ReadonlyMap<number, Error> | undefined,
  ): void {
    if (!job.single) job.resolve({ values, failures });
    else if (failures?.has(0)) job.reject(failures.get(0)!);
    else job.resolve(values[0]);
  }

  /** Failures reported in `done`, by offset in the job's current inputs. */
  #failures(job: Job, done: DoneMessage): Map<number, Error> | undefined {
    if (!done.failures) return undefined;
    const failures = new Map<number, Error>();
    for (const { offset, error, unsendable } of done.failures) {
      failures.set(
        offset,
        unsendable
          ? new SerializationError(unsendable.path, unsendable.problem)
          : new TaskError(fromWire(error), job.task.name),
      );
    }
    return failures;
  }

  // ── workers ──────────────────────────────────────────────────────────────────────

  #spawn(): PoolWorker {
    const id = this.#nextWorkerId++;
    let exited!: () => void;
    const worker: PoolWorker = {
      id,
      transport: undefined as unknown as Transport,
      startedAt: performance.now(),
      running: new Set(),
      held: new Fifo(),
      loaded: new Set(),
      outbox: [],
      transfer: [],
      sent: 0,
      completed: 0,
      busyMs: 0,
      proven: false,
      // A new thread or child holds its parent's process open until told otherwise.
      holdsProcess: true,
      stopping: undefined,
      idleTimer: undefined,
      probes: new Map(),
      exited: new Promise<void>((resolve) => {
        exited = resolve;
      }),
    };
    (worker as { transport: Transport }).transport = this.#options.transport.spawn(
      {
        workerId: id,
        tasksPerWorker: this.#options.tasksPerWorker,
        resourceLimits: this.#options.resourceLimits,
      },
      {
        message: (batch) => this.#onMessages(worker, unpackDones(batch)),
        exit: (death) => {
          this.#onExit(worker, death);
          exited();
        },
      },
    );
    this.#workers.add(worker);
    this.#keepAlive(worker);
    return worker;
  }

  #stop(worker: PoolWorker, why: string): void {
    if (worker.stopping) return;
    worker.stopping = why;
    clearTimeout(worker.idleTimer);
    // Held open until its exit is seen, so that whoever awaits it is not left hanging.
    this.#hold(worker, true);
    worker.transport.terminate();
  }

  #onExit(worker: PoolWorker, death: WorkerDeath): void {
    this.#workers.delete(worker);
    clearTimeout(worker.idleTimer);
    this.#busyMsOfDead += worker.busyMs;
    this.#lifeMsOfDead += performance.now() - worker.startedAt;
    const crash = new WorkerCrashedError(death, worker.stopping ?? death.detail);
    this.#running -= worker.running.size;
    // To blame: the job whose input was running, when the transport can tell; else every
    // job the mirror has running. The others run again: they had not started, or they had
    // finished but their answers died with the worker.
    const { running } = death;
    const culprit = running ? this.#jobs.get(running.jobId) : undefined;
    for (const job of [...worker.running, ...worker.held]) {
      clearTimeout(job.timer);
      if (job.answered) this.#forget(job);
      else if (this.#closed) {
        this.#forget(job);
        this.#answer(job, crash);
      } else if (job === culprit) this.#crashed(job, running!.offset, crash);
      else if (!running && job.state === 'running') this.#crashed(job, 0, crash, true);
      else this.#enqueue(job);
    }
    const replace = !this.#closed && worker.proven && worker.stopping !== IDLE;
    const replacement =
      replace && this.#workers.size < this.#options.workers ? this.#spawn() : undefined;
    // A proven worker that died (say, stopped for a runaway task) hands its probes on.
    for (const probe of worker.probes.values()) {
      if (!replacement) probe.settle(crash);
      else {
        replacement.probes.set(probe.task.taskId, probe);
        this.#load(replacement, probe.task);
        this.#keepAlive(replacement);
      }
    }
    this.#dispatch();
  }

  /**
   * `job` was running the input at `offset` when its worker died. It runs again while it
   * has retries; else that input fails with `crash` (`whole`: every input does, when the
   * transport cannot tell which one ran) and the rest of the job goes back in line.
   */
  #crashed(job: Job, offset: number, crash: Error, whole = false): void {
    if (job.attempts < this.#options.retries) {
      job.attempts++;
      this.#retried++;
      this.#enqueue(job);
      return;
    }
    const failures = new Map<number, Error>();
    for (let i = 0; i < job.inputs.length; i++) if (whole || i === offset) failures.set(i, crash);
    if (this.#removeInputs(job, failures)) this.#enqueue(job);
  }

  /**
   * Takes inputs that failed on their own out of a job (by offset in its current inputs),
   * keeping their errors for its answer. Answers the job when none are left; else true.
   */
  #removeInputs(job: Job, failures: ReadonlyMap<number, Error>): boolean {
    const origin = job.origin ?? job.inputs.map((_, i) => i);
    job.failed ??= new Map();
    for (const [offset, error] of failures) job.failed.set(origin[offset]!, error);
    job.origin = origin.filter((_, i) => !failures.has(i));
    job.inputs = job.inputs.filter((_, i) => !failures.has(i));
    if (job.inputs.length > 0) return true;
    this.#forget(job);
    this.#resolve(job, [], undefined);
    return false;
  }

  #idle(worker: PoolWorker): boolean {
    return worker.running.size === 0 && worker.held.size === 0 && worker.probes.size === 0;
  }

  /**
   * A busy worker holds the caller's process open; an idle one does not, and may retire.
   * A stopping one stays held until its exit is seen, however late its last messages come.
   */
  #keepAlive(worker: PoolWorker): void {
    const idle = this.#idle(worker);
    this.#hold(worker, !idle || worker.stopping !== undefined);
    clearTimeout(worker.idleTimer);
    worker.idleTimer = undefined;
    if (idle && !worker.stopping && this.#workers.size > this.#options.minWorkers) {
      worker.idleTimer = setTimeout(() => {
        if (this.#idle(worker) && this.#workers.size > this.#options.minWorkers)
          this.#stop(worker, IDLE);
      }, this.#options.idleTimeout);
      worker.idleTimer.unref();
    }
  }

  /** Tells the transport only when it changes: `ref()`/`unref()` on every batch cost ~2%. */
  #hold(worker: PoolWorker, hold: boolean): void {
    if (worker.holdsProcess === hold) return;
    worker.holdsProcess = hold;
    worker.transport.keepAlive(hold);
  }

  // ── bookkeeping ──────────────────────────────────────────────────────────────────

  #ensureLoaded(worker: PoolWorker, task: PoolTask): void {
    if (!worker.loaded.has(task.taskId)) this.#load(worker, task);
  }

  #load(worker: PoolWorker, task: PoolTask): void {
    worker.loaded.add(task.taskId);
    const { moduleUrl, exportName } = task.ref;
    this.#post(worker, { kind: 'load', taskId: task.taskId, moduleUrl, exportName });
  }

  #post(worker: PoolWorker, message: ToWorker, transfer?: readonly TransferListItem[]): void {
    if (worker.outbox.length === 0) queueMicrotask(() => this.#flush(worker));
    worker.outbox.push(message);
    if (transfer) worker.transfer.push(...transfer);
  }

  #flush(worker: PoolWorker): void {
    const batch = worker.outbox;
    const transfer = worker.transfer;
    worker.outbox = [];
    worker.transfer = [];
    if (worker.stopping || batch.length === 0) return;
    try {
      worker.transport.send(packRuns(batch), transfer);
    } catch {
      // Something in the batch cannot be cloned: send the messages one by one, failing those.
      for (const message of batch) this.#sendAlone(worker, message);
    }
  }

  #sendAlone(worker: PoolWorker, message: ToWorker): void {
    try {
      worker.transport.send([message]);
    } catch (error) {
      if (message.kind !== 'run') throw error;
      const job = this.#jobs.get(message.jobId)!;
      // Inputs are not checked before they are sent (that would cost every input of every
      // chunk a walk): the ones that cannot go fail on their own, and the rest go again.
      const unsendable = new Map<number, Error>();
      job.inputs.forEach((input, offset) => {
        const bad = findUnsendable(input, 'input');
        if (bad) unsendable.set(offset, new SerializationError(bad.path, bad.problem));
      });
      if (unsendable.size === 0) {
        // Nothing to point at: the job as a whole could not be sent.
        const failure = new SerializationError(
          'input',
          `cannot be sent to a worker (${(error as Error).message})`,
          { cause: error },
        );
        for (let i = 0; i < job.inputs.length; i++) unsendable.set(i, failure);
      }
      this.#takeBack(worker, job);
      if (this.#removeInputs(job, unsendable)) {
        this.#enqueue(job);
        this.#dispatch();
      }
    }
  }

  /** Takes a job the worker never got out of its mirror. */
  #takeBack(worker: PoolWorker, job: Job): void {
    this.#leaveMirror(worker, job);
    worker.sent -= job.inputs.length;
    this.#keepAlive(worker);
  }

  /** Removes a job from its worker's mirror, running or held; its timeout no longer applies. */
  #leaveMirror(worker: PoolWorker, job: Job): void {
    clearTimeout(job.timer);
    if (job.state !== 'running') {
      worker.held.remove(job.heldAt!);
      return;
    }
    worker.running.delete(job);
    this.#running--;
  }

  /** Gives the caller its answer (once); the job may still be winding down in a worker. */
  #answer(job: Job, error: Error): void {
    if (job.answered) return;
    job.answered = true;
    clearTimeout(job.timer);
    job.reject(error);
  }

  #forget(job: Job): void {
    this.#jobs.delete(job.id);
    clearTimeout(job.timer);
  }
}

const IDLE = 'idle';
const CLOSED = 'the pool closed';

/** The first answer that is not a crash; a crash only if every answer is one. */
function firstAnswer(answers: readonly Promise<void>[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let crashes = 0;
    for (const answer of answers) {
      answer.then(resolve, (error: unknown) => {
        if (!(error instanceof WorkerCrashedError)) reject(error);
        else if (++crashes === answers.length) reject(error);
      });
    }
  });
}

/** Where the input at `offset` of a job's current inputs was in the job as asked for. */
function originOf(job: Job, offset: number): number {
  return job.origin ? job.origin[offset]! : offset;
}

/** An exponentially weighted moving average: recent jobs count most, one outlier little. */
function average(previous: number | undefined, sample: number): number {
  return previous === undefined ? sample : previous * 0.8 + sample * 0.2;
}

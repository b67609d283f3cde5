/**
 * The one pool core behind `threads` and `processes`: a priority queue bounded by
 * `maxQueue`, dispatch to workers (short jobs sent ahead, so the caller never waits a round
 * trip per task), cancellation and timeouts that stop runaway work for real (`cancel.ts`),
 * retries after crashes, and what a worker's death means: who is to blame and what runs
 * again (`death.ts`). A job is a `Job` (`job.ts`); a worker is a `WorkerSlot` (`slot.ts`),
 * reached only through a transport (`transport.ts`), the one thing the two modes do
 * differently; the workers as a set, started, retired and replaced, are a `Crew` (`crew.ts`).
 */
import { CancelledError, QueueFullError, WorkerCrashedError } from '../../core/errors.js';
import type { Task } from '../../core/task.js';
import type { PoolDetails } from '../../core/types.js';
import { abortError, isAborted } from '../../primitives/abort.js';
import { PriorityQueue } from '../../primitives/priority-queue.js';
import { Room } from '../../primitives/room.js';
import { Canceller, type CancelSettings } from './cancel.js';
import { Crew, type CrewSettings } from './crew.js';
import { blame, type Line, settleAfterDeath } from './death.js';
import { Job, type JobOutcome, type JobRequest, type PoolTask, unsendableInputs } from './job.js';
import { firstLoad, loadTimedOut, TaskRegistry } from './loading.js';
import { pickWorker } from './placement.js';
import type { DoneMessage, FromWorker, StartedMessage } from './protocol.js';
import type { SlotEvents, WorkerSlot } from './slot.js';
import { Timings } from './timings.js';
import type { WorkerDeath } from './transport.js';

export type { JobOutcome, JobRequest, PoolTask } from './job.js';

export interface PoolOptions extends CrewSettings, CancelSettings {
  readonly maxTasksPerWorker: number;
  readonly retries: number;
  /** Most jobs waiting (queued, or held by a busy worker) before a refusable one is refused. */
  readonly maxQueue: number;
}

export interface PoolStats {
  readonly workers: number;
  readonly running: number;
  readonly queued: number;
  readonly retried: number;
  readonly utilization: number;
  readonly pool: PoolDetails;
}

const CLOSED = 'the pool closed';

export class Pool {
  readonly #options: PoolOptions;
  readonly #queue = new PriorityQueue<Job>();
  readonly #crew: Crew;
  readonly #jobs = new Map<number, Job>();
  readonly #canceller: Canceller;
  readonly #tasks = new TaskRegistry();
  readonly #timings = new Timings();
  readonly #room: Room;
  #nextJobId = 1;
  /** Inputs of the jobs in the line (none of them answered: a cancelled one leaves it). */
  #queuedInputs = 0;
  #retried = 0;
  #closed = false;

  constructor(options: PoolOptions) {
    this.#options = options;
    this.#room = new Room(
      () => this.#waiting(),
      options.maxQueue,
      () => this.#queue.size === 0 && this.#placed() < options.workers * options.tasksPerWorker,
    );
    this.#crew = new Crew(options, this.#events, this.#tasks, () => this.#dispatch());
    this.#canceller = new Canceller(options, this.#jobs, this.#crew, (job) => this.#unqueue(job));
  }

  /** The pool's handle for a task reference (one per module export). */
  task(ref: Task<unknown, unknown>): PoolTask {
    return this.#tasks.of(ref);
  }

  /**
   * Loads the task in every worker (starting them all on first use, so that a burst finds
   * them ready) and settles with the first answer that says something about the task:
   * loaded (work may start), or missing (`TaskNotFoundError`, also for a module that never
   * finishes loading) or throwing on import (`TaskError`). A worker that crashes says
   * nothing about the task: only if every one does is that the answer. Workers still
   * loading take no work until they answer, so the first jobs go where the task is ready.
   */
  probe(task: PoolTask): Promise<void> {
    this.#crew.fill();
    const live = [...this.#crew].filter((slot) => !slot.stopping);
    const asked = live.length > 0 ? live : [this.#crew.spawn()];
    const loaded = firstLoad(asked, task);
    for (const slot of asked) this.#crew.keepAlive(slot);
    return loaded;
  }

  /** Queues a job; settles with its outcome, or rejects with a switchyard error. */
  run(request: JobRequest): Promise<JobOutcome> {
    return new Promise<JobOutcome>((resolve, reject) =>
      this.#accept(request, resolve as (answer: unknown) => void, reject, false),
    );
  }

  /** Queues a job of one input; settles with its output, or rejects with its error. */
  runOne(request: JobRequest): Promise<unknown> {
    return new Promise((resolve, reject) => this.#accept(request, resolve, reject, true));
  }

  /** Resolves when a refusable job would be accepted (at once without `maxQueue`). */
  ready(): Promise<void> {
    return this.#room.ready();
  }

  #accept(
    request: JobRequest,
    resolve: (answer: unknown) => void,
    reject: (error: Error) => void,
    single: boolean,
  ): void {
    const { controller } = request;
    const failAtOnce = (error: Error) => {
      request.ended?.(0, request.inputs.length);
      reject(error);
    };
    if (isAborted(controller)) failAtOnce(abortError(controller));
    else if (this.#closed) failAtOnce(new CancelledError('cancelled because the pool was closed'));
    else if (request.refusable && this.#full()) reject(new QueueFullError(this.#options.maxQueue));
    else {
      const job = new Job(this.#nextJobId++, request, single, resolve, reject);
      this.#canceller.watch(controller);
      this.#enqueue(job);
      this.#dispatch();
    }
  }

  /** ms of CPU the workers have used so far, ended ones included, where the system says (see `Transport.cpuMs`). */
  cpuMs(): number | undefined {
    return this.#crew.cpuMs();
  }

  /**
   * `running` and `queued` count inputs whose caller has no answer yet, every input of a
   * chunk included: a job that was answered (cancelled, timed out) is counted failed at that
   * moment, though its worker may still be winding it down — `perWorker` shows those jobs.
   */
  stats(): PoolStats {
    let running = 0;
    let held = 0;
    for (const slot of this.#crew) {
      for (const job of slot.running) if (!job.answered) running += job.size;
      for (const job of slot.held) if (!job.answered) held += job.size;
    }
    const details = () => this.#details();
    return {
      workers: this.#crew.size,
      running,
      queued: this.#queuedInputs + held,
      retried: this.#retried,
      utilization: this.#crew.utilization(),
      // Computed when read: the counts are read on every submit under maxQueue, the
      // percentiles (two rings sorted) only by whoever shows them.
      get pool() {
        return details();
      },
    };
  }

  #details(): PoolDetails {
    const perWorker = [...this.#crew].map((slot) => ({
      id: slot.id,
      tasks: slot.completed,
      running: slot.running.size,
    }));
    return { perWorker, ...this.#timings.percentiles() };
  }

  /**
   * Stops every worker. Jobs still queued or running are cancelled; a running one gets its
   * signal and the grace period to end before its worker is stopped.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const reason = new CancelledError('cancelled because the pool was closed');
    for (const job of [...this.#jobs.values()]) this.#canceller.cancel(job, reason);
    await this.#crew.close(CLOSED, this.#options.grace);
  }

  // ── the line and dispatch ────────────────────────────────────────────────────────

  /** `maxQueue` jobs wait: a refusable one is refused. */
  #full(): boolean {
    return !this.#room.hasRoom();
  }

  /** Jobs accepted and not running: in the line, or held by a busy worker. */
  #waiting(): number {
    let held = 0;
    for (const slot of this.#crew) held += slot.held.size;
    return this.#queue.size + held;
  }

  /** Jobs a worker holds or runs. */
  #placed(): number {
    let placed = 0;
    for (const slot of this.#crew) placed += slot.held.size + slot.running.size;
    return placed;
  }

  #enqueue(job: Job): void {
    this.#jobs.set(job.id, job);
    job.state = 'queued';
    // Back from a worker that died: it has no place in any worker now.
    job.slot = undefined;
    job.heldAt = undefined;
    job.place = this.#queue.push(job, job.priority);
    this.#queuedInputs += job.size;
  }

  /** Takes a job cancelled while queued out of the line: it never reaches a worker. */
  #unqueue(job: Job): void {
    this.#queue.remove(job.place!, job.priority);
    job.place = undefined;
    this.#queuedInputs -= job.size;
    this.#forget(job);
    this.#room.check();
  }

  #dispatch(): void {
    if (this.#closed) return;
    while (this.#queue.size > 0) {
      const task = this.#queue.peek()!.task;
      const slot = pickWorker(this.#crew, task, this.#options, this.#timings.ahead());
      if (!slot) break;
      const job = this.#queue.shift()!;
      job.place = undefined;
      this.#queuedInputs -= job.size;
      this.#send(slot, job);
    }
    if (this.#queue.size > 0) this.#crew.awaited();
    this.#room.check();
  }

  #send(slot: WorkerSlot, job: Job): void {
    job.slot = slot;
    job.at = undefined;
    slot.ensureLoaded(job.task);
    const { id: jobId, inputs, watch } = job;
    const { taskId } = job.task;
    slot.post(
      watch
        ? { kind: 'run', jobId, taskId, inputs, watch }
        : { kind: 'run', jobId, taskId, inputs },
      job.transfer,
    );
    slot.sent += inputs.length;
    this.#timings.waited(job.queuedAt);
    if (slot.running.size < this.#options.tasksPerWorker) this.#startRunning(slot, job);
    else slot.hold(job);
    this.#crew.keepAlive(slot);
  }

  /** The mirror moves `job` to running; a job cancelled before it started gets its grace. */
  #startRunning(slot: WorkerSlot, job: Job): void {
    slot.run(job);
    if (job.answered) this.#canceller.stopAfterGrace(job);
  }

  /** Moves held jobs to running while the worker has free slots. */
  #promote(slot: WorkerSlot): void {
    while (slot.running.size < this.#options.tasksPerWorker && slot.held.size > 0)
      this.#startRunning(slot, slot.held.peek()!);
  }

  // ── what workers say ─────────────────────────────────────────────────────────────

  readonly #events: Omit<SlotEvents, 'idle'> = {
    messages: (slot, batch) => this.#onMessages(slot, batch),
    unsendable: (slot, jobId, error) => this.#onUnsendable(slot, jobId, error),
    loadTimedOut: (slot, task) => this.#onLoadTimedOut(slot, task),
    exit: (slot, death) => this.#onExit(slot, death),
  };

  #onMessages(slot: WorkerSlot, batch: readonly FromWorker[]): void {
    for (const message of batch) {
      if (message.kind === 'done') this.#onDone(slot, message);
      else if (message.kind === 'started') this.#onStarted(slot, message);
      else if (message.kind === 'progress') {
        const job = this.#jobs.get(message.jobId);
        if (job && !job.answered) job.progress(message.value, job.originOf(message.offset));
      } else {
        const task = slot.loaded(message.taskId, message.error);
        if (task && !message.error) task.loadable = true;
      }
    }
    this.#dispatch();
    this.#crew.keepAlive(slot);
  }

  #onStarted(slot: WorkerSlot, { jobId, offset }: StartedMessage): void {
    const job = this.#jobs.get(jobId);
    if (!job || job.slot !== slot) return;
    if (job.state === 'sent') this.#startRunning(slot, job);
    job.at = offset;
    if (offset === 0) this.#canceller.startClock(job);
  }

  #onDone(slot: WorkerSlot, done: DoneMessage): void {
    const job = this.#jobs.get(done.jobId);
    if (!job || job.slot !== slot) return;
    slot.leave(job);
    job.state = 'done';
    this.#forget(job);
    if (!done.dropped) {
      slot.completed += job.inputs.length;
      slot.busyMs += done.ms;
      this.#timings.ran(job.task, job.inputs.length, done.ms);
    }
    job.finish(done);
    this.#promote(slot);
    if (slot.idle && (this.#closed || slot.sent >= this.#options.maxTasksPerWorker))
      this.#crew.stop(
        slot,
        this.#closed ? CLOSED : `recycled after ${slot.sent} tasks (maxTasksPerWorker)`,
      );
  }

  /**
   * A run could not be sent. Inputs are not checked before they are sent (that would cost
   * every input of every chunk a walk): the ones that cannot go fail on their own, and the
   * rest go again.
   */
  #onUnsendable(slot: WorkerSlot, jobId: number, error: unknown): void {
    const job = this.#jobs.get(jobId)!;
    // The worker never got it.
    slot.leave(job);
    slot.sent -= job.inputs.length;
    this.#promote(slot);
    this.#crew.keepAlive(slot);
    if (job.drop(unsendableInputs(job.inputs, error)) === 'answered') this.#forget(job);
    else {
      this.#enqueue(job);
      this.#dispatch();
    }
  }

  /**
   * A load that never ends (a top-level await that never settles) would hold its callers,
   * and the worker, forever: it fails, with the jobs of that task the worker has, and the
   * worker — whose module cache now holds a load that will never finish — is replaced.
   */
  #onLoadTimedOut(slot: WorkerSlot, task: PoolTask): void {
    const error = loadTimedOut(task, this.#options.loadTimeout);
    task.loadable = false;
    slot.loaded(task.taskId, error);
    for (const job of [...slot.running, ...slot.held]) if (job.task === task) job.fail(error);
    this.#crew.stop(slot, `stopped because task module ${task.name} did not finish loading`);
  }

  // ── deaths ───────────────────────────────────────────────────────────────────────

  #onExit(slot: WorkerSlot, death: WorkerDeath): void {
    const crash = new WorkerCrashedError(death, slot.stopping ?? death.detail);
    const had = [...slot.running, ...slot.held];
    const verdict = blame(death, had, slot.stopping !== undefined, (id) => this.#jobs.get(id));
    settleAfterDeath(had, verdict, crash, this.#closed, this.#line);
    this.#crew.bury(slot, crash);
    this.#dispatch();
  }

  readonly #line: Line = {
    enqueue: (job) => this.#enqueue(job),
    forget: (job) => this.#forget(job),
    retry: (job) => {
      if (job.attempts >= this.#options.retries) return false;
      job.attempts++;
      this.#retried++;
      this.#enqueue(job);
      return true;
    },
  };

  // ── bookkeeping ──────────────────────────────────────────────────────────────────

  #forget(job: Job): void {
    this.#jobs.delete(job.id);
    clearTimeout(job.timer);
  }
}

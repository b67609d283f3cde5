/**
 * One worker as the pool sees it: the transport that started it, the mirror of the jobs it
 * runs and holds, the loads it has not answered yet, its outbox, and its hold on the
 * caller's process. It decides nothing about jobs: what a message, a death or an idle
 * spell means is the pool's to say (see {@link SlotEvents}).
 *
 * The mirror: a worker runs `tasksPerWorker` jobs at once and holds the rest in arrival
 * order. The pool moves a job from held to running when the worker answers the one before
 * it, or says it started it (a watched job: see `protocol.ts`).
 */
import type { ResourceLimits, TransferListItem } from 'node:worker_threads';
import type { WireError } from '../../core/wire.js';
import { Fifo } from '../../primitives/fifo.js';
import type { Job, PoolTask } from './job.js';
import { packRuns, unpackDones } from './pack.js';
import type { FromWorker, ToWorker } from './protocol.js';
import type { Transport, TransportSpec, WorkerDeath } from './transport.js';

/** What a slot tells the pool. */
export interface SlotEvents {
  /** A batch from the worker, packed messages expanded. */
  messages(slot: WorkerSlot, batch: readonly FromWorker[]): void;
  /** The run message of `jobId` could not be sent on its own: something in it cannot be cloned. */
  unsendable(slot: WorkerSlot, jobId: number, error: unknown): void;
  /** The worker did not answer the load of `task` within the load timeout. */
  loadTimedOut(slot: WorkerSlot, task: PoolTask): void;
  /** The worker has been idle for the time it was given (see {@link WorkerSlot.keepAlive}). */
  idle(slot: WorkerSlot): void;
  /** The worker ended; called once, after its last message. */
  exit(slot: WorkerSlot, death: WorkerDeath): void;
}

export interface SlotSettings {
  readonly id: number;
  readonly transport: TransportSpec;
  readonly tasksPerWorker: number;
  readonly resourceLimits?: ResourceLimits | undefined;
  /** ms a load may go unanswered before {@link SlotEvents.loadTimedOut}. */
  readonly loadTimeout: number;
}

/** Hears whether a task loaded: the loader's failure, or `undefined` (it loaded). */
export type LoadWaiter = (failure: WireError | Error | undefined) => void;

/** A load sent and not answered yet, and who waits for its answer. */
export interface PendingLoad {
  readonly task: PoolTask;
  readonly waiters: LoadWaiter[];
  readonly timer: NodeJS.Timeout;
}

export class WorkerSlot {
  readonly id: number;
  readonly startedAt = performance.now();
  /** Jobs the worker runs now, as far as the pool knows. */
  readonly running = new Set<Job>();
  /** Jobs sent ahead, which the worker holds until a slot frees, in arrival order. */
  readonly held = new Fifo<Job>();
  /** Inputs sent to it, for `maxTasksPerWorker`. */
  sent = 0;
  completed = 0;
  busyMs = 0;
  /** It has answered at least once: it can start, so a replacement is worth starting at once. */
  proven = false;
  /** Why the pool stops it, once it does; anything else ending it is a crash. */
  stopping: string | undefined = undefined;
  /** Settles when the worker has ended. */
  readonly exited: Promise<void>;
  readonly #settings: SlotSettings;
  readonly #events: SlotEvents;
  readonly #transport: Transport;
  /** Tasks it was asked to load, answered or not. */
  readonly #asked = new Set<number>();
  readonly #pending = new Map<number, PendingLoad>();
  #outbox: ToWorker[] = [];
  #transfer: TransferListItem[] = [];
  /** What the transport was last told: the worker holds the caller's process open. */
  #holdsProcess = true;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(settings: SlotSettings, events: SlotEvents) {
    this.id = settings.id;
    this.#settings = settings;
    this.#events = events;
    let exited!: () => void;
    this.exited = new Promise<void>((resolve) => {
      exited = resolve;
    });
    this.#transport = settings.transport.spawn(
      {
        workerId: settings.id,
        tasksPerWorker: settings.tasksPerWorker,
        resourceLimits: settings.resourceLimits,
      },
      {
        message: (batch) => {
          this.proven = true;
          events.messages(this, unpackDones(batch));
        },
        exit: (death) => {
          clearTimeout(this.#idleTimer);
          for (const pending of this.#pending.values()) clearTimeout(pending.timer);
          events.exit(this, death);
          exited();
        },
      },
    );
  }

  /**
   * A job of `task` sent now would wait for a load: the worker has not started yet (its
   * first answer may be far off), or it is loading `task` itself. A running worker loading
   * other tasks runs the tasks it has loaded meanwhile — a module whose top-level code never
   * finishes must not hold up the rest.
   */
  loadingFor(task: PoolTask): boolean {
    return this.#pending.size > 0 && (!this.proven || this.#pending.has(task.taskId));
  }

  /** It has jobs, running or held. */
  get busy(): boolean {
    return this.running.size > 0 || this.held.size > 0;
  }

  get idle(): boolean {
    return !this.busy && this.#pending.size === 0;
  }

  /** Asks the worker to load `task` (again, if it answered before: the loader caches what loaded and retries what failed); `waiter` hears the answer. */
  load(task: PoolTask, waiter?: LoadWaiter): void {
    let pending = this.#pending.get(task.taskId);
    if (!pending) {
      const timer = setTimeout(
        () => this.#events.loadTimedOut(this, task),
        this.#settings.loadTimeout,
      );
      // The worker's own hold keeps the process open while it loads; the timer need not.
      timer.unref();
      pending = { task, waiters: [], timer };
      this.#pending.set(task.taskId, pending);
      this.#asked.add(task.taskId);
      const { moduleUrl, exportName } = task.ref;
      this.post({ kind: 'load', taskId: task.taskId, moduleUrl, exportName });
    }
    if (waiter) pending.waiters.push(waiter);
  }

  /** Loads `task` unless it was asked to before: its jobs then wait behind the load in the worker. */
  ensureLoaded(task: PoolTask): void {
    if (!this.#asked.has(task.taskId)) this.load(task);
  }

  /** The worker answered the load of a task: tells whoever waits; the task, if a load was pending. */
  loaded(taskId: number, failure: WireError | Error | undefined): PoolTask | undefined {
    const pending = this.#pending.get(taskId);
    if (!pending) return undefined;
    this.#pending.delete(taskId);
    clearTimeout(pending.timer);
    for (const waiter of pending.waiters) waiter(failure);
    return pending.task;
  }

  /** Loads not answered, taken out of the slot: its worker is gone, and the pool hands them on. */
  takePending(): PendingLoad[] {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    return pending;
  }

  /** Puts `job` in the mirror as running. */
  run(job: Job): void {
    if (job.heldAt) {
      this.held.remove(job.heldAt);
      job.heldAt = undefined;
    }
    this.running.add(job);
    job.state = 'running';
  }

  /** Puts `job` in the mirror as held behind the running ones. */
  hold(job: Job): void {
    job.state = 'sent';
    job.heldAt = this.held.push(job);
  }

  /** Takes `job` out of the mirror, running or held. */
  leave(job: Job): void {
    if (job.heldAt) {
      this.held.remove(job.heldAt);
      job.heldAt = undefined;
    } else this.running.delete(job);
  }

  /** Queues a message for the worker; a turn's messages cross together (see `protocol.ts`). */
  post(message: ToWorker, transfer?: readonly TransferListItem[]): void {
    if (this.#outbox.length === 0) queueMicrotask(() => this.#flush());
    this.#outbox.push(message);
    if (transfer) this.#transfer.push(...transfer);
  }

  /** Stops the worker at once; `exit` follows. */
  stop(why: string): void {
    if (this.stopping) return;
    this.stopping = why;
    clearTimeout(this.#idleTimer);
    // Held open until its exit is seen, so that whoever awaits it is not left hanging.
    this.#hold(true);
    this.#transport.terminate();
  }

  /**
   * A busy worker holds the caller's process open; an idle one does not, and, given
   * `retireAfter` ms, tells the pool when it has been idle that long. A stopping one stays
   * held until its exit is seen, however late its last messages come.
   */
  keepAlive(retireAfter: number | undefined): void {
    const idle = this.idle;
    this.#hold(!idle || this.stopping !== undefined);
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (idle && !this.stopping && retireAfter !== undefined) {
      this.#idleTimer = setTimeout(() => this.#events.idle(this), retireAfter);
      this.#idleTimer.unref();
    }
  }

  /** ms of CPU the worker has used so far, where the system says (see {@link Transport.cpuMs}). */
  cpuMs(): number | undefined {
    return this.#transport.cpuMs?.();
  }

  /** Tells the transport only when it changes: `ref()`/`unref()` on every batch cost ~2%. */
  #hold(hold: boolean): void {
    if (this.#holdsProcess === hold) return;
    this.#holdsProcess = hold;
    this.#transport.keepAlive(hold);
  }

  #flush(): void {
    const batch = this.#outbox;
    const transfer = this.#transfer;
    this.#outbox = [];
    this.#transfer = [];
    if (this.stopping || batch.length === 0) return;
    try {
      this.#transport.send(packRuns(batch), transfer);
    } catch {
      // Something in the batch cannot be cloned: send the messages one by one, failing those.
      for (const message of batch) this.#sendAlone(message);
    }
  }

  #sendAlone(message: ToWorker): void {
    try {
      this.#transport.send([message]);
    } catch (error) {
      if (message.kind !== 'run') throw error;
      this.#events.unsendable(this, message.jobId, error);
    }
  }
}

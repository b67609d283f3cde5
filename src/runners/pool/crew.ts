/**
 * A pool's workers as a set, and their life cycle: started (each loads the tasks in use
 * before it takes work), stopped (counted, so that idle workers never retire below
 * `minWorkers`), retired when idle, and replaced when they die.
 */
import type { ResourceLimits } from 'node:worker_threads';
import type { WorkerCrashedError } from '../../core/errors.js';
import { totalCpuMs } from '../../primitives/proc-stat.js';
import type { PoolTask } from './job.js';
import { Refill } from './refill.js';
import { type SlotEvents, WorkerSlot } from './slot.js';
import type { TransportSpec } from './transport.js';

export interface CrewSettings {
  readonly transport: TransportSpec;
  /** Most workers. */
  readonly workers: number;
  /** Workers kept when idle (the rest stop after `idleTimeout`). */
  readonly minWorkers: number;
  readonly idleTimeout: number;
  readonly tasksPerWorker: number;
  readonly resourceLimits?: ResourceLimits | undefined;
  readonly loadTimeout: number;
}

const IDLE = 'idle';

export class Crew implements Iterable<WorkerSlot> {
  readonly #settings: CrewSettings;
  readonly #events: SlotEvents;
  /** The tasks in use: a new worker loads those that some worker loaded. */
  readonly #tasks: Iterable<PoolTask>;
  readonly #slots = new Set<WorkerSlot>();
  readonly #refill: Refill;
  #nextId = 1;
  /** Workers being stopped: they no longer count. */
  #stopping = 0;
  #closed = false;
  #busyMsOfDead = 0;
  #lifeMsOfDead = 0;
  /** ms of CPU the dead workers had used, as last read (see `Transport.cpuMs`). */
  #cpuMsOfDead = 0;

  /** `events` are the pool's; `refilled` runs after workers started late (see `Refill`). */
  constructor(
    settings: CrewSettings,
    events: Omit<SlotEvents, 'idle'>,
    tasks: Iterable<PoolTask>,
    refilled: () => void,
  ) {
    this.#settings = settings;
    this.#tasks = tasks;
    this.#events = {
      ...events,
      idle: (slot) => {
        if (slot.idle && !slot.stopping && this.live > settings.minWorkers) this.stop(slot, IDLE);
      },
    };
    this.#refill = new Refill(() => {
      this.fill();
      refilled();
    });
  }

  /** Workers started and not yet ended, stopping ones included. */
  get size(): number {
    return this.#slots.size;
  }

  /** Workers not being stopped. */
  get live(): number {
    return this.#slots.size - this.#stopping;
  }

  /** The crew is short of workers. */
  get short(): boolean {
    return this.#slots.size < this.#settings.workers;
  }

  /** Workers are due to start after a delay: none should be started before. */
  get refilling(): boolean {
    return this.#refill.pending;
  }

  [Symbol.iterator](): IterableIterator<WorkerSlot> {
    return this.#slots.values();
  }

  /** Starts a worker; it loads every task in use before it takes work. */
  spawn(): WorkerSlot {
    const { transport, tasksPerWorker, resourceLimits, loadTimeout } = this.#settings;
    const slot = new WorkerSlot(
      { id: this.#nextId++, transport, tasksPerWorker, resourceLimits, loadTimeout },
      this.#events,
    );
    this.#slots.add(slot);
    for (const task of this.#tasks) if (task.loadable) slot.load(task);
    this.keepAlive(slot);
    return slot;
  }

  /** Starts workers until the crew is full. */
  fill(): void {
    while (!this.#closed && this.short) this.spawn();
  }

  stop(slot: WorkerSlot, why: string): void {
    if (slot.stopping) return;
    this.#stopping++;
    slot.stop(why);
  }

  /** Lets an idle worker retire after `idleTimeout` while the crew has more than `minWorkers`. */
  keepAlive(slot: WorkerSlot): void {
    const { minWorkers, idleTimeout } = this.#settings;
    slot.keepAlive(this.live > minWorkers ? idleTimeout : undefined);
  }

  /** Jobs wait for workers that are due to start: the process stays alive until they do. */
  awaited(): void {
    this.#refill.needed();
  }

  /**
   * Takes a dead worker out and replaces it, unless it was stopped for idleness or the crew
   * is closing. One that had proved it can start is replaced at once; one that died before
   * saying anything is replaced later (see `Refill`). Loads it had not answered go to the
   * replacement, or, with none, fail with `crash`.
   */
  bury(slot: WorkerSlot, crash: WorkerCrashedError): void {
    this.#slots.delete(slot);
    if (slot.stopping) this.#stopping--;
    this.#busyMsOfDead += slot.busyMs;
    this.#lifeMsOfDead += performance.now() - slot.startedAt;
    // One that never said counted nowhere (the total was unknown while it lived).
    this.#cpuMsOfDead += slot.cpuMs() ?? 0;
    const replaceable = !this.#closed && slot.stopping !== IDLE;
    let fresh: WorkerSlot | undefined;
    if (replaceable && slot.proven) {
      this.#refill.reset();
      if (this.short) fresh = this.spawn();
    } else if (replaceable) this.#refill.after(this.short);
    for (const { task, waiters } of slot.takePending()) {
      for (const waiter of waiters) {
        if (fresh) fresh.load(task, waiter);
        else waiter(crash);
      }
    }
    if (fresh) this.keepAlive(fresh);
  }

  /**
   * ms of CPU the workers have used so far, those that died, retired or were stopped
   * included — a count that never falls, as differences of it are read — or `undefined`
   * where a live one cannot say.
   */
  cpuMs(): number | undefined {
    const live = totalCpuMs(Array.from(this.#slots, (slot) => slot.cpuMs()));
    return live === undefined ? undefined : live + this.#cpuMsOfDead;
  }

  /** Share of the workers' lives, past and present, spent running tasks. */
  utilization(): number {
    let busy = this.#busyMsOfDead;
    let life = this.#lifeMsOfDead;
    const now = performance.now();
    for (const slot of this.#slots) {
      busy += slot.busyMs;
      life += now - slot.startedAt;
    }
    const capacity = life * this.#settings.tasksPerWorker;
    return capacity > 0 ? Math.min(1, busy / capacity) : 0;
  }

  /**
   * Stops every worker: one without jobs at once, a busy one after `grace` ms (its tasks
   * have been told to stop); resolves once all have ended.
   */
  async close(why: string, grace: number): Promise<void> {
    this.#closed = true;
    this.#refill.cancel();
    const exits = [...this.#slots].map((slot) => {
      if (!slot.busy) this.stop(slot, why);
      else setTimeout(() => this.stop(slot, why), grace);
      return slot.exited;
    });
    await Promise.all(exits);
  }
}

/**
 * One task's worker threads, from their start to the task loaded on them. Starting takes a
 * CPU per worker for a few hundred ms, so it begins on the first sign that the controller
 * may move the task there, to be done by the time the move is decided; if the sign goes
 * first, the start is stopped (once: signs can come and go) and its outcome ignored. A task
 * the workers cannot run (its data cannot be copied there, or they fail to load it) stays
 * on the calling thread.
 */
import { toError } from '../../core/errors.js';
import type { TaskLike } from '../../core/task.js';
import type { Controller } from './controller.js';
import type { Crossing } from './crossing.js';
import type { TaskOnWorkers, WorkerThreads } from './workers.js';

export class WorkerStart {
  readonly #task: TaskLike<never, unknown>;
  readonly #threads: WorkerThreads;
  readonly #controller: Controller;
  readonly #crossing: Crossing;
  readonly #wake: () => void;
  #loaded: TaskOnWorkers | undefined;
  /** The start under way (or done); a start that was stopped no longer is, and its outcome is ignored. */
  #loading: Promise<void> | undefined;
  /** When the start under way began. */
  #startedAt = 0;
  /**
   * Workers starting for this task were stopped once: they start again only when the move
   * to them is made, not on a sign that it may come, and then run to the end.
   */
  #stoppedStarting = false;
  /**
   * Worker threads cannot run this task (its inputs or outputs cannot be copied there, or
   * they failed to load it): it stays on the calling thread, timeout or not.
   */
  #mustStay = false;

  /**
   * The `controller` is told when the workers start, are ready and fail; `crossing` says
   * whether the task's data can be copied to them; `wake` is called once they can take runs.
   */
  constructor(
    task: TaskLike<never, unknown>,
    threads: WorkerThreads,
    controller: Controller,
    crossing: Crossing,
    wake: () => void,
  ) {
    this.#task = task;
    this.#threads = threads;
    this.#controller = controller;
    this.#crossing = crossing;
    this.#wake = wake;
  }

  /** The task, loaded on every worker; `undefined` until they started. */
  get loaded(): TaskOnWorkers | undefined {
    return this.#loaded;
  }

  /** See {@link cannotRun}. */
  get mustStay(): boolean {
    return this.#mustStay;
  }

  /** Starts the workers, unless they are starting or started, or cannot run this task. */
  start(): void {
    if (this.#loading || this.#mustStay) return;
    const why = this.#crossing.whyNot();
    if (why) {
      this.cannotRun(why);
      return;
    }
    this.#controller.workersStarting();
    this.#startedAt = performance.now();
    const loading: Promise<void> = this.#threads.take(this.#task).then(
      (loaded) => {
        if (this.#loading !== loading) return;
        this.#controller.workersReady();
        this.#loaded = loaded;
        this.#wake();
      },
      (error: unknown) => {
        if (this.#loading !== loading) return;
        this.#controller.workersReady();
        if (this.#threads.closed) return;
        this.cannotRun(toError(error).message);
      },
    );
    this.#loading = loading;
  }

  /** A move to the workers looks likely: {@link start}s them ahead of it, unless a start was stopped. */
  startAhead(): void {
    if (!this.#stoppedStarting) this.start();
  }

  /**
   * Stops workers still starting when the sign they were begun on has gone (a lazy
   * initialisation's one long call): on a machine of few CPUs their start would slow the
   * calling thread for a move that will not come. Once per task, so that work whose signs
   * come and go (a burst that keeps the thread busy for one window) does not start and
   * stop workers again and again.
   */
  stopStarting(): void {
    if (!this.#loading || this.#loaded || this.#stoppedStarting) return;
    const stopped = this.#threads.abandon();
    if (!stopped) return;
    this.#stoppedStarting = true;
    this.#loading = undefined;
    // They run on while they stop, and the windows until then are read as seeing a start
    // (unless the move came meanwhile, and started them again).
    void stopped.then(() => {
      if (!this.#loading) this.#controller.workersReady();
    });
  }

  /**
   * ms until the workers could take this task's runs: none once it is loaded there; else
   * what loading it takes — `loadMs`, its module imported there again, after starting the
   * workers unless they run already (see {@link workerBootMs}) — less what a start under way
   * has done.
   */
  msToReady(loadMs: number): number {
    if (this.#loaded) return 0;
    const total = (this.#threads.running ? 0 : workerBootMs()) + loadMs;
    const done = this.#loading ? performance.now() - this.#startedAt : 0;
    return Math.max(0, total - done);
  }

  /** Worker threads cannot run this task, because of `why`: it stays on the calling thread from now on. */
  cannotRun(why: string): void {
    this.#mustStay = true;
    this.#controller.threadsFailed(why);
  }
}

/**
 * About how long a worker thread takes to start on this machine, before it loads a task: as
 * long as this process took to start Node — an isolate and Node's bootstrap, which a worker
 * goes through again (on a 2-CPU machine: 75 ms for the process, 45–60 ms for a worker).
 */
export function workerBootMs(): number {
  const { nodeStart, bootstrapComplete } = performance.nodeTiming;
  return Math.max(0, bootstrapComplete - nodeStart);
}

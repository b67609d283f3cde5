/**
 * One task under `auto`: its controller, the gate its runs wait at, and the two places a
 * run can go — the calling thread's event loop or one of the worker threads — chosen run
 * by run as the controller says. Every start and finish is reported to the controller,
 * which is all it learns from.
 */
import { SerializationError, toError, WorkerCrashedError } from '../../core/errors.js';
import type { ChunkOutcome, ChunkRun, Runner, TaskRun } from '../../core/runner.js';
import type { Task, TaskFunction } from '../../core/task.js';
import { findUnsendable } from '../../core/unsendable.js';
import { runChunkInThread } from '../loop/loop.js';
import { Controller } from './controller.js';
import { Crossing, cannotCopy } from './crossing.js';
import { Gate } from './gate.js';
import { sendMs } from './handover.js';
import { inThreadChunk, readAheadAt } from './map-sizes.js';
import type { Instruments } from './measures.js';
import type { LawContext, Level, Route } from './moves.js';
import { SATURATED, TURN_BUDGET_MS } from './settings.js';
import { StartWatch } from './start-watch.js';
import type { Turn } from './turn.js';
import { WorkLeft } from './work-left.js';
import { WorkerStart } from './worker-start.js';
import type { WorkerThreads } from './workers.js';

/** A run's place on the calling thread; a place ≥ 0 is a worker thread. */
const ON_THREAD = -1;

/** What the tasks of one `auto` executor share. */
export interface Shared {
  /** Runs tasks on the calling thread, with their timeouts and cancellation; no limit of its own. */
  readonly inThread: Runner<TaskFunction<unknown, unknown>>;
  readonly workers: WorkerThreads;
  readonly turn: Turn;
  /** The clock and busy counters its controllers measure with. */
  readonly instruments: Instruments;
  /** Why a `submit` that would have to wait is refused now (`maxQueue` reached), or `undefined`. */
  readonly refuse: () => Error | undefined;
}

export class AutoTask {
  readonly task: Task<never, unknown>;
  readonly fn: TaskFunction<unknown, unknown>;
  readonly controller: Controller;
  readonly gate: Gate<number>;
  readonly #shared: Shared;
  /** Worker threads are among the modes at hand: a timeout can then be honoured for real. */
  readonly #canLeave: boolean;
  /** This task's worker threads: their start, and the task loaded on them. */
  readonly #workers: WorkerStart;
  /**
   * Tasks reserved or running on the calling thread — a chunk's inputs each, as a chunk of
   * tasks that await has all of them in flight at once: what the level bounds there.
   */
  #onThread = 0;
  /**
   * Inputs of chunks running on the calling thread, until they end (see `Ended`); single
   * runs there are counted by the calling thread's runner.
   */
  #inChunksOnThread = 0;
  /** The calling thread's last level: what it keeps to while the workers start. */
  #loopLevel: number;
  /** The last runs came in chunks of a `map` without a timeout (what sending them to a worker costs). */
  #inChunks = false;
  /** Inputs in the last chunk asked for. */
  #chunk = 1;
  /** The last input and output seen: what copying them to a worker would cost, and whether it can. */
  readonly #crossing = new Crossing();
  readonly #workerCount: number;
  /** Most tasks in flight on the calling thread (the user's `concurrency`, if lower than auto's own). */
  readonly #maxLoop: number;
  readonly #mapWindow: number;
  /** ms its module took to load on the calling thread: about what loading it on a worker takes. */
  readonly #loadMs: number;
  /** The work offered and not yet done, where all of it is known. */
  readonly #left = new WorkLeft();
  /** Until a run finishes, whether the level should rise (see `start-watch.ts`). */
  readonly #startWatch: StartWatch;

  constructor(
    task: Task<never, unknown>,
    fn: TaskFunction<unknown, unknown>,
    shared: Shared,
    context: Omit<
      LawContext,
      'dispatchMs' | 'chunkable' | 'waiting' | 'remaining' | 'inFlightHere' | 'msToWorkers'
    > & {
      readonly canLeave: boolean;
      /** Inputs a `map` reads ahead at most (the executor's window). */
      readonly mapWindow: number;
      /** ms the task's module took to load on the calling thread. */
      readonly loadMs: number;
    },
    start: Level,
  ) {
    this.task = task;
    this.fn = fn;
    this.#shared = shared;
    this.#canLeave = context.canLeave;
    this.#workerCount = context.workers;
    this.#maxLoop = context.maxLoop;
    this.#mapWindow = context.mapWindow;
    this.#loadMs = context.loadMs;
    this.#loopLevel = start.level;
    this.gate = new Gate(this.#take);
    this.controller = new Controller(
      {
        ...context,
        // The constants were measured with inputs of a few bytes, whose copy they include.
        dispatchMs: (m) => Math.max(sendMs(m, this.#inChunks), this.#crossing.copyMs()),
        chunkable: () => this.#inChunks,
        waiting: () => this.gate.waiting,
        remaining: () => this.#left.remaining(),
        inFlightHere: () => this.#onThread,
        msToWorkers: () => this.#workers.msToReady(this.#loadMs),
      },
      shared.instruments,
      start,
      this.#moved,
    );
    this.#startWatch = new StartWatch(this.controller, () => this.#moreOffered());
    this.#workers = new WorkerStart(task, shared.workers, this.controller, this.#crossing, () =>
      this.gate.wake(),
    );
  }

  /** Inputs of chunks running now on the calling thread (see {@link Shared.inThread} for the rest). */
  get inChunksOnThread(): number {
    return this.#inChunksOnThread;
  }

  /** From now on, runs go where a timeout stops them, if this task can go there (and stay there). */
  pin(): void {
    if (this.#canLeave && !this.#workers.mustStay && !this.controller.pinned) this.controller.pin();
  }

  /** A `map` of this task begins reading (see `Runner.mapReading`). */
  mapReading(unread: () => number | undefined): () => void {
    return this.#left.mapReading(unread);
  }

  run(offered: TaskRun): Promise<unknown> {
    this.#crossing.input(offered.input);
    if (offered.timeout !== undefined) this.pin();
    this.#inChunks = false;
    const run = this.#left.offered(offered, 1);
    return this.gate.enter(run.controller, (place) => this.#runAt(place, run), {
      ended: run.ended,
      refuse: run.refusable ? this.#shared.refuse : undefined,
      priority: run.priority,
    });
  }

  runChunk(sent: ChunkRun): Promise<ChunkOutcome> {
    this.#crossing.input(sent.inputs[sent.inputs.length - 1]);
    if (sent.timeout !== undefined) this.pin();
    this.#inChunks = sent.timeout === undefined;
    const chunk = this.#left.offered(sent, sent.inputs.length);
    return this.gate.enter(chunk.controller, (place) => this.#chunkAt(place, chunk), {
      inputs: chunk.inputs.length,
      ended: chunk.ended,
    });
  }

  /**
   * Inputs per chunk of a `map`: the workers' own choice there; see {@link inThreadChunk}
   * here, within the most tasks in flight the calling thread may have (a chunk larger than
   * the level runs alone there).
   */
  chunkSize(timeout: number | undefined): number {
    this.#chunk =
      this.controller.level.route === 'threads'
        ? (this.#workers.loaded?.chunkSize(timeout) ?? 1)
        : Math.min(this.#maxLoop, inThreadChunk(this.controller.lastOnLoop, timeout));
    return this.#chunk;
  }

  /** Inputs a `map` should have begun and not yet settled now (see {@link readAheadAt}). */
  readAhead(): number {
    return readAheadAt(this.controller.level, this.#workerCount, this.#chunk, this.#mapWindow);
  }

  /** See `StartWatch.onRise`. */
  get onRise(): (rose: () => void) => () => void {
    return this.#startWatch.onRise;
  }

  /** More tasks are offered than are in flight on the calling thread: waiting at the gate, or a map's unread inputs. */
  #moreOffered(): boolean {
    return this.gate.waiting > 0 || this.#left.beyond(this.#onThread);
  }

  /** Reserves a place for a run of `inputs` where the controller wants runs now, if there is room. */
  readonly #take = (inputs: number): number | undefined => {
    const { route, level } = this.controller.level;
    if (route === 'loop') return this.#onThreadIfRoom(level, inputs);
    const onWorkers = this.#workers.loaded;
    if (onWorkers) {
      // One more than the level per worker, when no timeout is set: the worker then has
      // the next task at hand as it finishes one, instead of waiting for a message.
      return onWorkers.reserve(level + (this.controller.pinned ? 0 : 1));
    }
    // Workers still starting: a timeout must wait for them; other work goes on here.
    return this.controller.pinned
      ? undefined
      : this.#onThreadIfRoom(this.#whileWorkersStart(), inputs);
  };

  /**
   * Tasks kept in flight on the calling thread while the workers start. A thread saturated
   * by the tasks answers the workers' start-up messages only between their bursts of CPU,
   * and the CPU after a task's wait runs in its continuation, which no turn budget stops:
   * 64 tasks of 4 ms resuming together hold the thread for 256 ms, and a start that takes
   * a few round trips then takes seconds. So on a saturated thread no more are kept in
   * flight than fit in one turn's budget of the time each holds it (see `heldPerTaskMs`):
   * the thread stays the bottleneck, so its throughput barely changes. Others keep their
   * level.
   */
  #whileWorkersStart(): number {
    const last = this.controller.lastOnLoop;
    if (!last || last.busyShare < SATURATED) return this.#loopLevel;
    const fit = Math.floor(TURN_BUDGET_MS / Math.max(last.heldPerTaskMs, 1e-3));
    return Math.min(this.#loopLevel, Math.max(1, fit));
  }

  /**
   * A place on the calling thread for a run of `inputs`, if they fit under `limit` tasks in
   * flight there — or if none is: a chunk larger than the limit then runs alone.
   */
  #onThreadIfRoom(limit: number, inputs: number): number | undefined {
    const fits = this.#onThread === 0 || this.#onThread + inputs <= limit;
    if (!fits || this.#shared.turn.exhausted) return undefined;
    this.#shared.turn.starting();
    this.#onThread += inputs;
    return ON_THREAD;
  }

  /** The controller set a new level. */
  readonly #moved = (to: Level): void => {
    if (to.route === 'loop') this.#loopLevel = to.level;
    else this.#workers.start();
    this.gate.wake();
  };

  #runAt(place: number, run: TaskRun): Promise<unknown> {
    if (place !== ON_THREAD && findUnsendable(run.input, 'input')) place = this.#keepHere(place, 1);
    if (place !== ON_THREAD) {
      const startedAt = this.controller.started('threads');
      const running = this.#workers.loaded!.run(place, run);
      return this.#track(running, 'threads', place, startedAt, 1, false);
    }
    const startedAt = this.controller.started('loop');
    this.#startWatch.began();
    const running = this.#shared.inThread.run(this.fn, run);
    this.#called(startedAt);
    return this.#track(running, 'loop', place, startedAt, 1, false);
  }

  #chunkAt(place: number, chunk: ChunkRun): Promise<ChunkOutcome> {
    const inputs = chunk.inputs.length;
    if (place !== ON_THREAD && chunk.inputs.some((input) => findUnsendable(input, 'input')))
      place = this.#keepHere(place, inputs);
    if (place !== ON_THREAD) {
      const startedAt = this.controller.started('threads');
      const running = this.#workers.loaded!.runChunk(place, chunk);
      return this.#track(running, 'threads', place, startedAt, inputs, true);
    }
    const startedAt = this.controller.started('loop');
    this.#startWatch.began();
    if (inputs === 1) return this.#single(chunk, startedAt);
    this.#inChunksOnThread += inputs;
    const running = runChunkInThread(this.fn, {
      ...chunk,
      ended: (completed, failed) => {
        this.#inChunksOnThread -= inputs;
        chunk.ended(completed, failed);
      },
    });
    this.#called(startedAt);
    return this.#track(running, 'loop', place, startedAt, inputs, true);
  }

  /**
   * A run given a worker's `place` whose input cannot be copied to a worker (an odd one
   * among inputs that can) runs on the calling thread instead, where it works: the worker's
   * place is given back and one on this thread taken for its `inputs`, past its limit.
   */
  #keepHere(place: number, inputs: number): number {
    this.#workers.loaded!.release(place);
    this.#onThread += inputs;
    return ON_THREAD;
  }

  /** A call on the calling thread that began at `startedAt` has returned. */
  #called(startedAt: number): void {
    this.controller.called(performance.now() - startedAt);
  }

  /**
   * A chunk of one input, run as a task of its own (it keeps its own timeout). Its end is
   * reported in the same reaction that makes its outcome: this path is taken per input.
   */
  #single(
    { inputs, controller, timeout, progress, ended }: ChunkRun,
    startedAt: number,
  ): Promise<ChunkOutcome> {
    const running = this.#shared.inThread.run(this.fn, {
      input: inputs[0],
      controller,
      timeout,
      priority: 0,
      transfer: undefined,
      progress: (value) => progress(value, 0),
      ended,
    });
    this.#called(startedAt);
    return running.then(
      (value) => {
        this.#crossing.output(value);
        this.#finished('loop', ON_THREAD, startedAt, 1, true);
        return { values: [value] };
      },
      (error: unknown) => {
        this.#finished('loop', ON_THREAD, startedAt, 1, false);
        return { values: [], failures: new Map([[0, toError(error)]]) };
      },
    );
  }

  /**
   * Reports `running`'s end (a run's output, or a `chunked` run's outcome) to the
   * controller and frees its place; returns it unchanged.
   */
  #track<T>(
    running: Promise<T>,
    route: Route,
    place: number,
    startedAt: number,
    inputs: number,
    chunked: boolean,
  ): Promise<T> {
    running.then(
      (value) => {
        const outcome = value as ChunkOutcome;
        if (place === ON_THREAD) this.#crossing.output(chunked ? outcome.values.at(-1) : value);
        else if (chunked)
          for (const error of outcome.failures?.values() ?? []) this.#failedOnWorker(error);
        this.#finished(route, place, startedAt, inputs, true);
      },
      (error: unknown) => {
        if (place !== ON_THREAD) this.#failedOnWorker(error);
        this.#finished(route, place, startedAt, inputs, false);
      },
    );
    return running;
  }

  /**
   * A run on a worker failed with `error`.
   * - A task that crashed its worker would have ended the program on the calling thread:
   *   the work stays on the workers from now on.
   * - A result the worker could not send back (`output.close is a function`) is lost — the
   *   task ran — but the tasks after it stay on the calling thread, where results need no
   *   copy: only a timeout (which moves tasks to the workers before any result is seen)
   *   lets that happen.
   */
  #failedOnWorker(error: unknown): void {
    if (error instanceof WorkerCrashedError) {
      if (!this.controller.crashed) this.controller.crashedWorker(howItCrashed(error));
      return;
    }
    if (this.#workers.mustStay || !(error instanceof SerializationError)) return;
    if (!error.path.startsWith('output')) return;
    this.#workers.cannotRun(cannotCopy(error));
  }

  /** A run (or chunk of `inputs`) at `place` ended: its place is freed and the controller told. */
  #finished(route: Route, place: number, startedAt: number, inputs: number, ok: boolean): void {
    if (place === ON_THREAD) this.#onThread -= inputs;
    else this.#workers.loaded!.release(place);
    this.#startWatch.finished();
    this.controller.finished(route, startedAt, inputs, ok);
    // Workers take long to start: begun as soon as a move to them looks likely, they are
    // ready when it is decided.
    if (this.controller.threadsLikely) this.#workers.startAhead();
    else if (this.controller.threadsUnlikely) this.#workers.stopStarting();
    this.gate.wake();
  }
}

/** A worker's crash in a few words (`exit code 3`), for a reason. */
function howItCrashed({ memoryLimit, signal, exitCode }: WorkerCrashedError): string {
  if (memoryLimit) return 'it hit its memory limit';
  return signal ? `killed by ${signal}` : `exit code ${exitCode ?? 'unknown'}`;
}

/**
 * The part of every executor that users touch — `submit`, `map`, `mapSettled`, `stats`,
 * `close` — written once. A mode only supplies a {@link Runner}; this class adds option
 * checks, cancellation wiring, lazy windowed mapping, counting and the close protocol.
 */
import type { TransferListItem } from 'node:worker_threads';
import { checkCallOptions } from '../core/check-options.js';
import { checkTask } from '../core/checks.js';
import { CancelledError, ExecutorClosedError, QueueFullError } from '../core/errors.js';
import type { ChunkOutcome, Ended, Runner, RunnerLoad } from '../core/runner.js';
import type { InputOf, OutputOf, TaskLike } from '../core/task.js';
import type {
  CloseOptions,
  Decision,
  Executor,
  ExecutorStats,
  MapOptions,
  Mode,
  Settled,
  SubmitOptions,
} from '../core/types.js';
import {
  type Abortable,
  LazyAbortController,
  linkedController,
  onAbort,
} from '../primitives/abort.js';
import { Room } from '../primitives/room.js';
import { checkInputs } from './map-source.js';
import { type MapWindowOptions, mapWindow } from './map-window.js';
import { chunkProgress, throttleProgress } from './progress.js';

interface Start {
  /** Where cancellation comes from besides the executor's own `close({ cancel })`. */
  readonly signal: Abortable | undefined;
  /** `signal` is a map's controller, already linked to the executor's, that tasks may share. */
  readonly shared?: boolean;
  readonly timeout: number | undefined;
  readonly priority?: number | undefined;
  readonly transfer?: readonly TransferListItem[] | undefined;
  readonly progress: (value: unknown) => void;
  /** A `submit`'s task, refused past `maxQueue` rather than queued. */
  readonly refusable?: boolean;
  /** A `submit`'s task (see `TaskRun.submitted`). */
  readonly submitted?: boolean;
}

export class ExecutorFront<Prepared> implements Executor {
  readonly #runner: Runner<Prepared>;
  readonly #timeout: number | undefined;
  /** Aborted by `close({ cancel })` or a close timeout: every task's signal descends from it. */
  readonly #cancelAll = new LazyAbortController();
  #closing: Promise<void> | undefined;
  /** Resolved when `close()` is first called: what `ready()` waits on besides room. */
  #closeBegun: Promise<void> | undefined;
  #beginClose: (() => void) | undefined;
  #inFlight = 0;
  #whenIdle: (() => void) | undefined;
  #completed = 0;
  #failed = 0;
  /** Submitted tasks whose task module is still loading: not yet the runner's, still queued. */
  #preparing = 0;
  /**
   * `maxQueue` over what waits in the runner and what waits here for its module: the
   * runner's own limit sees only the first. `undefined` without `maxQueue`.
   */
  readonly #room: Room | undefined;
  readonly #maxQueue: number;

  constructor(
    runner: Runner<Prepared>,
    defaults: { timeout?: number | undefined; maxQueue?: number | undefined } = {},
  ) {
    this.#runner = runner;
    this.#timeout = defaults.timeout;
    this.#maxQueue = defaults.maxQueue ?? Number.POSITIVE_INFINITY;
    this.#room =
      defaults.maxQueue === undefined
        ? undefined
        : new Room(
            () => this.#waiting(),
            defaults.maxQueue,
            () => this.#freePlaces(this.#runner.load()) > this.#preparing,
          );
  }

  /**
   * Tasks that will wait once the modules being loaded are: those waiting in the runner,
   * and those waiting here for a module past the places free to run them at once.
   */
  #waiting(): number {
    const load = this.#runner.load();
    return load.queued + Math.max(0, this.#preparing - this.#freePlaces(load));
  }

  /** Places free to run a task at once: none while tasks wait in the runner. */
  #freePlaces({ queued, running }: RunnerLoad): number {
    return queued > 0 ? 0 : Math.max(0, this.#runner.concurrency - running);
  }

  get mode(): Mode {
    return this.#runner.mode;
  }

  get decision(): Decision | undefined {
    return this.#runner.decision;
  }

  submit<T extends TaskLike<never, unknown>>(
    task: T,
    input: InputOf<T>,
    options?: SubmitOptions,
  ): Promise<OutputOf<T>> {
    const opts = checkCallOptions(options, 'submit()') as SubmitOptions;
    checkTask(task, 'submit()');
    if (this.#closing) return Promise.reject(new ExecutorClosedError(this.mode));
    // A prepared task is refused by the runner, which knows its queue; one whose module
    // still loads (or that would queue behind such tasks) is refused here, at once.
    const ready = this.#runner.prepared?.(task);
    if ((ready === undefined || this.#preparing > 0) && this.#room && !this.#room.hasRoom())
      return Promise.reject(new QueueFullError(this.#maxQueue));
    this.#accept();
    const start: Start = {
      signal: opts.signal,
      timeout: opts.timeout ?? this.#timeout,
      priority: opts.priority,
      transfer: opts.transfer,
      progress: throttleProgress(opts.onProgress),
      refusable: true,
      submitted: true,
    };
    // A task prepared before starts now: no promise hop on the path every submit takes.
    const running =
      ready === undefined
        ? this.#prepareThenStart(task, input, start)
        : this.#start(ready, input, start);
    // The caller gets the runner's own promise; the runner counts how it ended (see Ended).
    // One reaction, attached first, releases the task: when close() resolves, every handler
    // the caller attached has run (they were queued behind this one). It never rethrows, so
    // a failure the caller only awaits later — after close(), say — is not reported as an
    // unhandled rejection.
    running.then(this.#release, this.#release);
    return running as Promise<OutputOf<T>>;
  }

  map<T extends TaskLike<never, unknown>>(
    task: T,
    inputs: Iterable<InputOf<T>> | AsyncIterable<InputOf<T>>,
    options?: MapOptions,
  ): AsyncIterableIterator<OutputOf<T>> {
    const opts = checkCallOptions(options, 'map()') as MapOptions;
    checkTask(task, 'map()');
    checkInputs(inputs);
    return this.#map(task, inputs, opts, {
      ordered: opts.ordered ?? true,
      failFast: true,
      values: true,
    }) as AsyncIterableIterator<OutputOf<T>>;
  }

  mapSettled<T extends TaskLike<never, unknown>>(
    task: T,
    inputs: Iterable<InputOf<T>> | AsyncIterable<InputOf<T>>,
    options?: Omit<MapOptions, 'ordered'>,
  ): AsyncIterableIterator<Settled<OutputOf<T>>> {
    const opts = checkCallOptions(options, 'mapSettled()') as MapOptions;
    checkTask(task, 'mapSettled()');
    checkInputs(inputs);
    return this.#map(task, inputs, opts, {
      ordered: false,
      failFast: false,
    }) as AsyncIterableIterator<Settled<OutputOf<T>>>;
  }

  #map(
    task: TaskLike<never, unknown>,
    inputs: Iterable<unknown> | AsyncIterable<unknown>,
    opts: MapOptions,
    shape: Pick<MapWindowOptions, 'ordered' | 'failFast' | 'values'>,
  ): AsyncIterableIterator<unknown> {
    let prepared: Prepared;
    const timeout = opts.timeout ?? this.#timeout;
    const { onProgress } = opts;
    return mapWindow(
      inputs,
      (input, index, cancel) => {
        this.#accept();
        return this.#start(prepared, input, {
          signal: cancel,
          shared: true,
          timeout,
          progress: throttleProgress(onProgress && ((value) => onProgress(value, index))),
        });
      },
      {
        ...shape,
        onSettled: this.#release,
        window: this.#runner.mapWindow,
        readAhead: () => this.#runner.readAhead?.(prepared),
        reading: (unread) => this.#runner.mapReading?.(prepared, unread),
        chunks: this.#runner.runChunk && {
          size: () => opts.chunkSize ?? this.#runner.chunkSize?.(prepared, timeout) ?? 1,
          start: (chunk, first, cancel) =>
            this.#startChunk(prepared, chunk, first, { signal: cancel, timeout, onProgress }),
        },
        // The map's own cancellation follows the executor's, so its tasks need link only to it.
        signals: [this.#cancelAll, opts.signal],
        stopReading: () => (this.#closing ? new ExecutorClosedError(this.mode) : undefined),
        // Loaded before any input is read, so a missing export fails the map up front.
        prepare: async () => {
          if (this.#closing) throw new ExecutorClosedError(this.mode);
          prepared = await this.#runner.prepare(task);
        },
      },
    );
  }

  /**
   * Resolves when `submit` can accept another task without passing `maxQueue`: at once when
   * there is room or `maxQueue` is not set; once the queue is full, when it has drained to
   * half of `maxQueue`, so that a producer submits in bursts.
   */
  ready(): Promise<void> {
    if (this.#closing) return Promise.resolve();
    const room =
      this.#preparing > 0 && this.#room
        ? this.#room.ready()
        : (this.#runner.ready?.() ?? Promise.resolve());
    if (this.#maxQueue === Number.POSITIVE_INFINITY) return room;
    // Once closing, no room will come: a producer waiting for it goes on, and its next
    // submit is refused with ExecutorClosedError.
    this.#closeBegun ??= new Promise<void>((resolve) => {
      this.#beginClose = resolve;
    });
    return Promise.race([room, this.#closeBegun]);
  }

  stats(): ExecutorStats {
    const load = this.#runner.load();
    return {
      mode: this.mode,
      workers: load.workers,
      concurrency: this.#runner.concurrency,
      running: load.running,
      queued: load.queued + this.#preparing,
      completed: this.#completed,
      failed: this.#failed,
      retried: load.retried,
      utilization: load.utilization,
      ...(load.pool ? { pool: load.pool } : {}),
    };
  }

  close(options: CloseOptions = {}): Promise<void> {
    const opts = checkCallOptions(options, 'close()') as CloseOptions;
    if (opts.cancel)
      this.#cancel('cancelled because the executor was closed with { cancel: true }');
    this.#closing ??= this.#shutDown(opts.timeout);
    this.#beginClose?.();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutDown(timeout: number | undefined): Promise<void> {
    const deadline =
      timeout === undefined
        ? undefined
        : setTimeout(
            () => this.#cancel(`cancelled because close() waited its ${timeout} ms timeout`),
            timeout,
          );
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.#whenIdle = resolve;
      });
    }
    clearTimeout(deadline);
    await this.#runner.close();
  }

  #cancel(reason: string): void {
    this.#cancelAll.abort(new CancelledError(reason));
  }

  /** A task whose module is still loading counts as queued until it reaches the runner. */
  #prepareThenStart(
    task: TaskLike<never, unknown>,
    input: unknown,
    start: Start,
  ): Promise<unknown> {
    this.#preparing++;
    // Cancelled while its module loads (by its signal, or close({ cancel: true })), a task
    // fails at once: the load may take long, or never end.
    let detach: (() => void)[] = [];
    const cancelled = new Promise<never>((_, reject) => {
      detach = [onAbort(this.#cancelAll, reject), onAbort(start.signal, reject)];
    });
    return Promise.race([this.#runner.prepare(task), cancelled]).then(
      (prepared) => {
        for (const stop of detach) stop();
        this.#preparing--;
        // Handed over without refusal: it was accepted when submitted.
        return this.#start(prepared, input, { ...start, refusable: false });
      },
      (error: unknown) => {
        for (const stop of detach) stop();
        // It never reached the runner: it leaves the queued count and is counted failed
        // here, in one step.
        this.#preparing--;
        this.#failed++;
        this.#room?.check();
        throw error;
      },
    );
  }

  /** Runs one accepted task; the runner reports its end to {@link #ended}. */
  #start(prepared: Prepared, input: unknown, start: Start): Promise<unknown> {
    // A task needs a controller of its own only to be aborted apart from the others: by its
    // timeout, or by a signal of its own. Otherwise it shares its map's controller, or the
    // executor's, and costs no controller and no link.
    const alone = start.timeout !== undefined || (start.signal !== undefined && !start.shared);
    const link = alone ? linkedController(this.#cancelAll, start.signal) : undefined;
    const running = this.#runner.run(prepared, {
      input,
      controller: link
        ? link.controller
        : ((start.signal as LazyAbortController | undefined) ?? this.#cancelAll),
      timeout: start.timeout,
      priority: start.priority ?? 0,
      transfer: start.transfer,
      progress: start.progress,
      refusable: start.refusable,
      submitted: start.submitted,
      ended: this.#ended,
    });
    if (link) running.then(link.unlink, link.unlink);
    return running;
  }

  /**
   * Runs a chunk of a map's inputs through the runner's chunk seam: one promise and one
   * dispatch for all of them; the runner reports how its inputs ended, and the map window
   * releases each one as it settles.
   */
  #startChunk(
    prepared: Prepared,
    chunk: unknown[],
    first: number,
    {
      signal,
      timeout,
      onProgress,
    }: { signal: Abortable; timeout: number | undefined; onProgress: MapOptions['onProgress'] },
  ): Promise<ChunkOutcome> {
    this.#accept(chunk.length);
    // As in #start: only a timeout needs a controller of the chunk's own.
    const link = timeout === undefined ? undefined : linkedController(this.#cancelAll, signal);
    const running = this.#runner.runChunk!(prepared, {
      inputs: chunk,
      controller: link ? link.controller : (signal as LazyAbortController),
      timeout,
      progress: chunkProgress(onProgress, first),
      ended: this.#ended,
    });
    if (link) running.then(link.unlink, link.unlink);
    return running;
  }

  /**
   * The runner stopped counting tasks as running or queued: they are counted as ended in
   * the same step, so that `stats()` never shows a task twice or nowhere. A `submit` the
   * runner refused (`QueueFullError`) was never accepted and never gets here.
   */
  readonly #ended: Ended = (completed, failed) => {
    this.#completed += completed;
    this.#failed += failed;
  };

  #accept(count = 1): void {
    this.#inFlight += count;
  }

  readonly #release = (): void => {
    this.#inFlight--;
    this.#room?.check();
    if (this.#inFlight === 0 && this.#whenIdle) this.#whenIdle();
  };
}

import type { TransferListItem } from 'node:worker_threads';
/**
 * The part of every executor that users touch — `submit`, `map`, `mapSettled`, `stats`,
 * `close` — written once. A mode only supplies a {@link Runner}; this class adds option
 * checks, cancellation wiring, lazy windowed mapping, counting and the close protocol.
 */
import { CancelledError, ExecutorClosedError } from '../errors.js';
import { checkCallOptions } from '../options.js';
import { linkedController } from '../primitives/abort.js';
import type { InputOf, OutputOf, TaskLike } from '../task/reference.js';
import { checkInputs, mapWindow } from './map-window.js';
import { throttleProgress } from './progress.js';
import type { Runner } from './runner.js';
import type {
  CloseOptions,
  Executor,
  ExecutorStats,
  MapOptions,
  Mode,
  Settled,
  SubmitOptions,
} from './types.js';

interface Start {
  readonly signals: readonly (AbortSignal | undefined)[];
  readonly timeout: number | undefined;
  readonly priority?: number | undefined;
  readonly transfer?: readonly TransferListItem[] | undefined;
  readonly progress: (value: unknown) => void;
}

export class ExecutorFront<Prepared> implements Executor {
  readonly #runner: Runner<Prepared>;
  readonly #timeout: number | undefined;
  /** Aborted by `close({ cancel })` or a close timeout: every task's signal descends from it. */
  readonly #cancelAll = new AbortController();
  #closing: Promise<void> | undefined;
  #inFlight = 0;
  #whenIdle: (() => void) | undefined;
  #completed = 0;
  #failed = 0;

  constructor(runner: Runner<Prepared>, defaults: { timeout?: number | undefined } = {}) {
    this.#runner = runner;
    this.#timeout = defaults.timeout;
  }

  get mode(): Mode {
    return this.#runner.mode;
  }

  submit<T extends TaskLike<never, unknown>>(
    task: T,
    input: InputOf<T>,
    options?: SubmitOptions,
  ): Promise<OutputOf<T>> {
    const opts = checkCallOptions(options, 'submit()') as SubmitOptions;
    if (this.#closing) return Promise.reject(new ExecutorClosedError(this.mode));
    this.#accept();
    const outcome = this.#runner.prepare(task).then(
      (prepared) =>
        this.#start(prepared, input, {
          signals: [opts.signal],
          timeout: opts.timeout ?? this.#timeout,
          priority: opts.priority,
          transfer: opts.transfer,
          progress: throttleProgress(opts.onProgress),
        }),
      (error: unknown) => {
        this.#failed++;
        throw error;
      },
    ) as Promise<OutputOf<T>>;
    // Released only once the caller's promise has settled, so that when close() resolves
    // every handler the caller attached before it has already run.
    outcome.then(this.#release, this.#release);
    return outcome;
  }

  map<T extends TaskLike<never, unknown>>(
    task: T,
    inputs: Iterable<InputOf<T>> | AsyncIterable<InputOf<T>>,
    options?: MapOptions,
  ): AsyncIterableIterator<OutputOf<T>> {
    const opts = checkCallOptions(options, 'map()') as MapOptions;
    checkInputs(inputs);
    return values(this.#mapSettled(task, inputs, opts, opts.ordered ?? true, true));
  }

  mapSettled<T extends TaskLike<never, unknown>>(
    task: T,
    inputs: Iterable<InputOf<T>> | AsyncIterable<InputOf<T>>,
    options?: Omit<MapOptions, 'ordered'>,
  ): AsyncIterableIterator<Settled<OutputOf<T>>> {
    const opts = checkCallOptions(options, 'mapSettled()') as MapOptions;
    checkInputs(inputs);
    return this.#mapSettled(task, inputs, opts, false, false);
  }

  async *#mapSettled<T extends TaskLike<never, unknown>>(
    task: T,
    inputs: Iterable<InputOf<T>> | AsyncIterable<InputOf<T>>,
    opts: MapOptions,
    ordered: boolean,
    failFast: boolean,
  ): AsyncGenerator<Settled<OutputOf<T>>, void, undefined> {
    if (this.#closing) throw new ExecutorClosedError(this.mode);
    // Loaded before any input is read, so a missing export fails the map up front.
    const prepared = await this.#runner.prepare(task);
    const timeout = opts.timeout ?? this.#timeout;
    const { onProgress } = opts;
    const results = mapWindow(
      inputs,
      (input, index, signal) => {
        this.#accept();
        return this.#start(prepared, input, {
          signals: [signal],
          timeout,
          progress: throttleProgress(onProgress && ((value) => onProgress(value, index))),
        }).finally(() => this.#release());
      },
      {
        window: this.#runner.mapWindow,
        ordered,
        failFast,
        signal: opts.signal,
        stopReading: () => (this.#closing ? new ExecutorClosedError(this.mode) : undefined),
      },
    );
    yield* results as AsyncGenerator<Settled<OutputOf<T>>>;
  }

  stats(): ExecutorStats {
    const load = this.#runner.load();
    return {
      mode: this.mode,
      workers: load.workers,
      concurrency: this.#runner.concurrency,
      running: load.running,
      queued: load.queued,
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
    if (!this.#cancelAll.signal.aborted) this.#cancelAll.abort(new CancelledError(reason));
  }

  #start(prepared: Prepared, input: unknown, start: Start): Promise<unknown> {
    const { controller, unlink } = linkedController(this.#cancelAll.signal, ...start.signals);
    return this.#runner
      .run(prepared, {
        input,
        controller,
        timeout: start.timeout,
        priority: start.priority ?? 0,
        transfer: start.transfer,
        progress: start.progress,
      })
      .then(
        (value) => {
          this.#completed++;
          return value;
        },
        (error: unknown) => {
          this.#failed++;
          throw error;
        },
      )
      .finally(unlink);
  }

  #accept(): void {
    this.#inFlight++;
  }

  readonly #release = (): void => {
    this.#inFlight--;
    if (this.#inFlight === 0 && this.#whenIdle) this.#whenIdle();
  };
}

async function* values<O>(
  settled: AsyncGenerator<Settled<O>, void, undefined>,
): AsyncGenerator<O, void, undefined> {
  for await (const outcome of settled) {
    // failFast: the map generator throws the first failure itself, so only successes arrive here.
    if (outcome.ok) yield outcome.value;
  }
}

/**
 * The lazy, windowed `map` every executor shares. Inputs are pulled one at a time only
 * while fewer than `window` of them are between "read" and "yielded to the consumer", so
 * memory stays bounded for endless inputs, a slow consumer slows the reading (backpressure),
 * and an early slow input in ordered mode cannot let completed results pile up.
 */
import { CancelledError, toError } from '../core/errors.js';
import type { ReadAhead } from '../core/runner.js';
import type { Settled } from '../core/types.js';
import {
  type Abortable,
  abortError,
  type LazyAbortController,
  linkedController,
  onAbort,
} from '../primitives/abort.js';
import { ChunkGathering, type ChunkOptions } from './map-chunks.js';
import { Outcomes } from './map-outcomes.js';
import { openSource, type Source } from './map-source.js';

export interface MapWindowOptions {
  /** Most inputs read but not yet yielded. */
  readonly window: number;
  /** A lower limit on reading for a while, if any: asked once, after `prepare`. */
  readonly readAhead?: () => ReadAhead | undefined;
  /**
   * Asked once, after `prepare`, as reading begins, with how to tell how many inputs are
   * left to read (known for an array, else `undefined` until the source ends); what it
   * returns is called once the map will read no more: its source ended or failed, or the
   * map was stopped.
   */
  readonly reading?: (unread: () => number | undefined) => (() => void) | undefined;
  /** Yield in input order (else completion order). */
  readonly ordered: boolean;
  /** Reject with the first failure (in completion order) and cancel the rest. */
  readonly failFast: boolean;
  /** Any of them aborting cancels everything. */
  readonly signals?: readonly (Abortable | undefined)[];
  /** Asked before each read: an error here stops reading, and is thrown once in-flight work is yielded. */
  readonly stopReading?: () => Error | undefined;
  /** Awaited on the first `next()`, before any input is read; its rejection ends the map. */
  readonly prepare?: () => Promise<unknown>;
  /** Yield each output itself rather than its `Settled` record (fail-fast maps only). */
  readonly values?: boolean;
  /**
   * Start inputs in chunks rather than one by one: `size()` is asked as each chunk begins
   * (capped at the window). A chunk is begun only when the window has room for all of it,
   * so a map in full flow keeps sending whole chunks, not one input per yielded output.
   * A chunk of an async source that stalls part-way is started as it is at the end of the
   * current turn of the event loop, so slow sources are not held back waiting to fill it.
   */
  readonly chunks?: ChunkOptions;
  /** Told as each input settles (for bookkeeping), before its outcome is queued for the consumer. */
  readonly onSettled?: () => void;
}

/**
 * Starts one input; must not throw synchronously (return a rejected promise instead).
 * `cancel` aborts when the map stops (failure, break, its signal).
 */
export type StartInput<I, O> = (input: I, index: number, cancel: Abortable) => Promise<O>;

/**
 * Maps `inputs` through `start`, reading lazily within the window, and yields each outcome.
 * An iterator object rather than an async generator: a generator costs every item a few
 * extra trips through the microtask queue, which is most of the cost of a tiny task.
 */
export function mapWindow<I, O>(
  inputs: Iterable<I> | AsyncIterable<I>,
  start: StartInput<I, O>,
  options: MapWindowOptions & { readonly failFast: true; readonly values: true },
): AsyncIterableIterator<O>;
export function mapWindow<I, O>(
  inputs: Iterable<I> | AsyncIterable<I>,
  start: StartInput<I, O>,
  options: MapWindowOptions,
): AsyncIterableIterator<Settled<O>>;
export function mapWindow<I, O>(
  inputs: Iterable<I> | AsyncIterable<I>,
  start: StartInput<I, O>,
  options: MapWindowOptions,
): AsyncIterableIterator<Settled<O> | O> {
  return new MapWindow(inputs, start, options);
}

/** What the map yields: `Settled<O>` records, or with `values` the outputs themselves. */
type Item<O> = Settled<O> | O;

interface Request<O> {
  resolve(step: IteratorResult<Item<O>, undefined>): void;
  reject(error: unknown): void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

class MapWindow<I, O> implements AsyncIterableIterator<Item<O>> {
  readonly #inputs: Iterable<I> | AsyncIterable<I>;
  readonly #start: StartInput<I, O>;
  readonly #options: MapWindowOptions;
  #source: Source<I> | undefined;
  #controller: LazyAbortController | undefined;
  #unlink: (() => void) | undefined;
  #preparing: Promise<void> | undefined;
  #closed = false;
  /** `next()` calls waiting for an outcome, oldest first. */
  readonly #requests: Request<O>[] = [];
  /** Settled, not yet yielded. */
  readonly #ready: Outcomes<O>;
  #held = 0; // read and not yet yielded
  #unyielded = 0; // settled and not yet yielded
  #nextIndex = 0; // of the next input read
  #pendingRead: Promise<void> | undefined; // an async source's next() in flight
  #exhausted = false;
  #fatal: { error: unknown } | undefined; // reading failed or was stopped
  #failure: Error | undefined; // failFast: the first failure in time
  #chunks: ChunkGathering<I, O> | undefined; // with MapWindowOptions.chunks, once open
  #readAhead: ReadAhead | undefined; // until lifted
  #doneReading: (() => void) | undefined; // see MapWindowOptions.reading
  #stopRising: (() => void) | undefined; // see ReadAhead.onRise

  constructor(
    inputs: Iterable<I> | AsyncIterable<I>,
    start: StartInput<I, O>,
    options: MapWindowOptions,
  ) {
    this.#inputs = inputs;
    this.#start = start;
    this.#options = options;
    this.#ready = new Outcomes(options.window, options.ordered);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Item<O>, undefined>> {
    if (this.#closed) return Promise.resolve(DONE);
    // The common case, an outcome ready for the only caller, costs no waiting request.
    if (this.#controller && this.#requests.length === 0 && !this.#failure) {
      const outcome = this.#ready.take();
      if (outcome) return Promise.resolve(this.#hand(outcome));
    }
    return new Promise((resolve, reject) => {
      this.#requests.push({ resolve, reject });
      if (this.#controller) this.#deliver();
      else this.#preparing ??= this.#open();
    });
  }

  return(): Promise<IteratorResult<Item<O>, undefined>> {
    this.#close(false);
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<Item<O>, undefined>> {
    this.#close(false);
    return Promise.reject(error);
  }

  /** First `next()`: prepare (before any input is read), then start reading. */
  async #open(): Promise<void> {
    try {
      await this.#options.prepare?.();
    } catch (error) {
      this.#close(true, { error });
      return;
    }
    if (this.#closed) return;
    const { controller, unlink } = linkedController(...(this.#options.signals ?? []));
    this.#controller = controller;
    this.#unlink = unlink;
    this.#source = openSource(this.#inputs);
    if (this.#options.chunks) {
      this.#chunks = new ChunkGathering(this.#options.chunks, {
        take: (count) => {
          const first = this.#nextIndex;
          this.#nextIndex += count;
          return first;
        },
        cancel: controller,
        settle: this.#settle,
      });
    }
    onAbort(controller, () => this.#deliver());
    this.#readAhead = this.#options.readAhead?.();
    this.#readAhead?.lifted.then(() => {
      this.#readAhead = undefined;
      if (!this.#closed) this.#pump();
    });
    this.#stopRising = this.#readAhead?.onRise?.(() => {
      if (this.#readAhead && !this.#closed) this.#pump();
    });
    this.#doneReading = this.#options.reading?.(this.#unread);
    this.#pump();
    this.#deliver();
  }

  /** Hands outcomes to waiting `next()` calls, and ends the map when it is over. */
  #deliver(): void {
    const controller = this.#controller!;
    while (this.#requests.length > 0 && !this.#closed) {
      const outcome = this.#failure ? undefined : this.#ready.take();
      if (outcome) {
        // Taken off the line before reading on: a read may end the map and answer the rest.
        const request = this.#requests.shift()!;
        request.resolve(this.#hand(outcome));
        continue;
      }
      if (this.#failure) this.#close(false, { error: this.#failure });
      else if (controller.aborted) this.#close(false, { error: abortError(controller) });
      else if (this.#exhausted && this.#held === 0) this.#close(true, this.#fatal);
      return;
    }
  }

  /** Gives `outcome` to the consumer, which opens a place in the window. */
  #hand(outcome: Settled<O>): IteratorYieldResult<Item<O>> {
    this.#held--;
    this.#unyielded--;
    this.#pump();
    // With `values` the map is fail-fast: a failure never gets here, it ends the map.
    return { done: false, value: this.#options.values ? (outcome as { value: O }).value : outcome };
  }

  readonly #settle = (outcome: Settled<O>): void => {
    this.#options.onSettled?.();
    if (!outcome.ok && this.#options.failFast && this.#failure === undefined) {
      this.#failure = outcome.error;
      this.#controller!.abort(
        new CancelledError('cancelled because another input of the same map failed', {
          cause: outcome.error,
        }),
      );
    }
    this.#ready.put(outcome);
    this.#unyielded++;
    const unyielded = this.#unyielded;
    this.#deliver();
    // Under a read-ahead limit, an input that settles makes room, yielded or not; one
    // yielded has made it already (see #hand).
    if (this.#readAhead && !this.#closed && this.#unyielded === unyielded) this.#pump();
  };

  #endReading(fatal?: { error: unknown }): void {
    this.#chunks?.start();
    this.#fatal ??= fatal;
    this.#exhausted = true;
    this.#readNoMore();
    this.#deliver();
  }

  /**
   * Reads while the window has room. Called whenever room opens (at the start, after each
   * yield), so a sync iterable is read inline, with no promise per input; an async one is
   * read one `next()` at a time.
   */
  #pump(): void {
    this.#read();
    const chunks = this.#chunks;
    if (!chunks?.gathering) return;
    if (this.#pendingRead === undefined) chunks.start();
    else chunks.startSoon();
  }

  #read(): void {
    const controller = this.#controller!;
    const { stopReading } = this.#options;
    const chunks = this.#chunks;
    const most = this.#held + this.#room();
    while (!this.#exhausted && this.#pendingRead === undefined && this.#held < most) {
      if (chunks && !chunks.gathering && !this.#openChunk(false)) return;
      const stop = controller.aborted ? undefined : stopReading?.();
      if (controller.aborted || stop) {
        this.#endReading(stop && { error: stop });
        return;
      }
      let step: IteratorResult<I> | Promise<IteratorResult<I>>;
      try {
        step = this.#source!.next();
      } catch (error) {
        this.#endReading({ error });
        return;
      }
      if (step instanceof Promise) {
        this.#pendingRead = step.then(
          (result) => {
            this.#pendingRead = undefined;
            if (this.#accept(result)) this.#pump();
          },
          (error: unknown) => {
            this.#pendingRead = undefined;
            this.#endReading({ error });
          },
        );
        return;
      }
      if (!this.#accept(step)) return;
    }
  }

  /** Starts the input a read produced; false once reading is over. */
  #accept(step: IteratorResult<I>): boolean {
    if (step.done || this.#controller!.aborted) {
      this.#endReading();
      return false;
    }
    // A read that was pending when its chunk started begins the next one, room or not: the
    // window had room for it when it was asked for.
    const chunks = this.#chunks;
    if (chunks && (chunks.gathering || this.#openChunk(true))) {
      this.#held++;
      chunks.add(step.value);
      return true;
    }
    const index = this.#nextIndex++;
    this.#held++;
    const settle = this.#settle;
    this.#start(step.value, index, this.#controller!).then(
      (value) => settle({ index, ok: true, value }),
      (error: unknown) => settle({ index, ok: false, error: toError(error) }),
    );
    return true;
  }

  /**
   * Inputs that may be read now: the window's room, and under a read-ahead limit, its room
   * for inputs not yet settled — an ordered map whose first input is slow holds the ones
   * done after it, which take no part in what the limit bounds.
   */
  #room(aheadLimit = this.#readAhead?.limit()): number {
    const room = this.#options.window - this.#held;
    if (aheadLimit === undefined) return room;
    return Math.min(room, aheadLimit - (this.#held - this.#unyielded));
  }

  /**
   * Opens a new chunk (a chunked map only) if the window has room for all of it, or
   * `anyway`; false means wait for room.
   */
  #openChunk(anyway: boolean): boolean {
    const { window } = this.#options;
    const ahead = this.#readAhead?.limit();
    const most = ahead === undefined ? window : Math.min(window, ahead);
    return this.#chunks!.open(most, this.#room(ahead), anyway);
  }

  /**
   * Ends the map once: `finished` when every input was yielded, else what is still in
   * flight is cancelled. Waiting `next()` calls get `error` (the first one) or the end.
   */
  #close(finished: boolean, error?: { error: unknown }): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#chunks?.drop();
    this.#readNoMore();
    const controller = this.#controller;
    if (controller && !finished && !controller.aborted)
      controller.abort(new CancelledError('cancelled because its map was stopped before the end'));
    this.#unlink?.();
    const requests = this.#requests.splice(0);
    if (error) requests.shift()?.reject(error.error);
    for (const request of requests) request.resolve(DONE);
    // Not awaited: a source blocked in next() (an open Queue, a socket) must not hold up the
    // consumer; the source is closed as soon as that read returns.
    const source = this.#source;
    if (source)
      Promise.resolve(this.#pendingRead)
        .then(() => source.return())
        .catch(() => {});
  }

  /** Inputs left to read: none once reading ended, else known only for an array. */
  readonly #unread = (): number | undefined => {
    if (this.#exhausted || this.#closed) return 0;
    const inputs = this.#inputs;
    return Array.isArray(inputs) ? Math.max(0, inputs.length - this.#nextIndex) : undefined;
  };

  /** Tells {@link MapWindowOptions.reading} once that no more inputs will be read, and stops listening for a rising read-ahead. */
  #readNoMore(): void {
    this.#stopRising?.();
    this.#stopRising = undefined;
    const done = this.#doneReading;
    this.#doneReading = undefined;
    done?.();
  }
}

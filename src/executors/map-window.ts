/**
 * The lazy, windowed `map` every executor shares. Inputs are pulled only while fewer than
 * `window` of them are between "read" and "yielded to the consumer", so memory stays
 * bounded for endless inputs, a slow consumer slows the reading (backpressure), and an
 * early slow input in ordered mode cannot let completed results pile up. Inputs are
 * started in chunks (of one, unless the runner batches): a chunk costs one promise and
 * one dispatch, however many inputs it carries.
 */
import { CancelledError } from '../errors.js';
import { abortError, linkedController } from '../primitives/abort.js';
import type { ChunkOutcome } from './runner.js';
import type { Settled } from './types.js';

export interface MapWindowOptions {
  /** Most inputs read but not yet yielded. */
  readonly window: number;
  /** Inputs per chunk, asked before each chunk is read. */
  readonly chunkSize: () => number;
  /** Yield in input order (else completion order). */
  readonly ordered: boolean;
  /** Reject with the first failure (in completion order) and cancel the rest. */
  readonly failFast: boolean;
  /** Cancels everything. */
  readonly signal?: AbortSignal | undefined;
  /** Asked before each read: an error here stops reading, and is thrown once in-flight work is yielded. */
  readonly stopReading?: () => Error | undefined;
}

/**
 * Starts a chunk of inputs, the first of which has index `first`; must not throw
 * synchronously. A rejection fails every input of the chunk with that error.
 */
export type StartChunk<I> = (
  inputs: I[],
  first: number,
  signal: AbortSignal,
) => Promise<ChunkOutcome>;

export async function* mapWindow<I, O>(
  inputs: Iterable<I> | AsyncIterable<I>,
  start: StartChunk<I>,
  options: MapWindowOptions,
): AsyncGenerator<Settled<O>, void, undefined> {
  const { window, chunkSize, ordered, failFast, stopReading } = options;
  const { controller, unlink } = linkedController(options.signal);
  const { signal } = controller;
  const source = openSource(inputs);

  const ready: Settled<O>[] = []; // completion order
  const byIndex = new Map<number, Settled<O>>(); // ordered mode: completed, waiting for their turn
  let held = 0; // read and not yet yielded
  let nextToYield = 0;
  let exhausted = false;
  let fatal: { error: unknown } | undefined; // reading failed or was stopped
  let failure: Error | undefined; // failFast: first failure in time
  let wakeConsumer: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;

  const wake = () => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };
  const settle = (outcome: Settled<O>) => {
    if (!outcome.ok && failFast && failure === undefined) {
      failure = outcome.error;
      controller.abort(
        new CancelledError('cancelled because another input of the same map failed', {
          cause: failure,
        }),
      );
    }
    if (ordered) byIndex.set(outcome.index, outcome);
    else ready.push(outcome);
    wake();
  };
  const settleChunk = (first: number, count: number, outcome: ChunkOutcome) => {
    const { values, failures } = outcome;
    for (let offset = 0; offset < count; offset++) {
      const error = failures?.get(offset);
      settle(
        error
          ? { index: first + offset, ok: false, error }
          : { index: first + offset, ok: true, value: values[offset] as O },
      );
    }
  };
  const failChunk = (first: number, count: number, thrown: unknown) => {
    const error = toError(thrown);
    for (let offset = 0; offset < count; offset++)
      settle({ index: first + offset, ok: false, error });
  };
  signal.addEventListener('abort', () => {
    wakeReader?.();
    wake();
  });

  const read = async () => {
    let index = 0;
    try {
      while (!signal.aborted) {
        if (held >= window) {
          await new Promise<void>((resolve) => {
            wakeReader = resolve;
          });
          wakeReader = undefined;
          continue;
        }
        const stop = stopReading?.();
        if (stop) throw stop;
        const size = Math.max(1, Math.min(chunkSize(), window - held));
        const chunk: I[] = [];
        let ended = false;
        while (chunk.length < size) {
          const next = source.next();
          // A sync iterable's steps are taken as they come: no promise per input.
          const step = 'then' in next ? await next : next;
          if (step.done || signal.aborted) {
            ended = true;
            break;
          }
          chunk.push(step.value);
        }
        if (chunk.length > 0 && !signal.aborted) {
          const first = index;
          const count = chunk.length;
          index += count;
          held += count;
          start(chunk, first, signal).then(
            (outcome) => settleChunk(first, count, outcome),
            (error: unknown) => failChunk(first, count, error),
          );
        }
        if (ended) break;
      }
    } catch (error) {
      fatal = { error };
    }
    exhausted = true;
    wake();
  };

  const reading = read();
  let finished = false;
  try {
    while (true) {
      if (failure) throw failure;
      const next = takeNext();
      if (next) {
        held--;
        wakeReader?.();
        yield next;
        continue;
      }
      if (signal.aborted) throw abortError(signal);
      if (exhausted && held === 0) {
        if (fatal) throw fatal.error;
        finished = true;
        return;
      }
      await new Promise<void>((resolve) => {
        wakeConsumer = resolve;
      });
    }
  } finally {
    // The consumer stopped early (break, throw) or a failure ended the map: cancel the rest.
    if (!finished && !signal.aborted)
      controller.abort(new CancelledError('cancelled because its map was stopped before the end'));
    unlink();
    // Not awaited: a source blocked in next() (an open Queue, a socket) must not hold up the
    // consumer; the reader closes the source as soon as that read returns.
    reading.then(() => source.return()).catch(() => {});
  }

  function takeNext(): Settled<O> | undefined {
    if (!ordered) return ready.shift();
    const next = byIndex.get(nextToYield);
    if (next) {
      byIndex.delete(nextToYield);
      nextToYield++;
    }
    return next;
  }
}

interface Source<I> {
  next(): IteratorResult<I> | Promise<IteratorResult<I>>;
  return(): Promise<void>;
}

/** One pull interface over sync and async iterables; sync ones are not forced through a promise per item. */
function openSource<I>(inputs: Iterable<I> | AsyncIterable<I>): Source<I> {
  if (inputs != null && typeof (inputs as AsyncIterable<I>)[Symbol.asyncIterator] === 'function') {
    const iterator = (inputs as AsyncIterable<I>)[Symbol.asyncIterator]();
    return { next: () => iterator.next(), return: async () => void (await iterator.return?.()) };
  }
  if (inputs != null && typeof (inputs as Iterable<I>)[Symbol.iterator] === 'function') {
    const iterator = (inputs as Iterable<I>)[Symbol.iterator]();
    return { next: () => iterator.next(), return: async () => void iterator.return?.() };
  }
  throw new TypeError(
    `map(): inputs must be an Iterable or AsyncIterable, got ${describe(inputs)}`,
  );
}

/** Throws at the call site (not at the first iteration) when `inputs` cannot be iterated. */
export function checkInputs(inputs: unknown): void {
  const iterable =
    inputs != null &&
    (typeof (inputs as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' ||
      typeof (inputs as Iterable<unknown>)[Symbol.iterator] === 'function');
  if (!iterable) {
    throw new TypeError(
      `map(): inputs must be an Iterable or AsyncIterable (an array, a generator, a stream), got ${describe(inputs)}`,
    );
  }
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

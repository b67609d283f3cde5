/**
 * The inputs of a chunked `map` (see `MapWindowOptions.chunks`), gathered as they are read
 * and started together: one promise for the chunk, one outcome for each of its inputs.
 */
import { toError } from '../core/errors.js';
import type { ChunkOutcome } from '../core/runner.js';
import type { Settled } from '../core/types.js';
import type { Abortable } from '../primitives/abort.js';

/**
 * Starts a chunk of inputs, the first of which has index `first`; must not throw
 * synchronously. A rejection fails every input of the chunk with that error.
 */
export type StartChunk<I> = (
  inputs: I[],
  first: number,
  cancel: Abortable,
) => Promise<ChunkOutcome>;

/** How a map cuts its inputs into chunks: `size()` is asked as each chunk begins. */
export interface ChunkOptions {
  readonly size: () => number;
  readonly start: StartChunk<unknown>;
}

/** What the chunks of one map report to it. */
export interface ChunkMap<O> {
  /** Takes the indices of a chunk of `count` inputs about to start; returns the first. */
  readonly take: (count: number) => number;
  /** Aborts when the map stops. */
  readonly cancel: Abortable;
  /** Told each input's outcome. */
  readonly settle: (outcome: Settled<O>) => void;
}

export class ChunkGathering<I, O> {
  readonly #options: ChunkOptions;
  readonly #map: ChunkMap<O>;
  /** Read, to be started together. */
  #inputs: I[] | undefined;
  #limit = 1;
  /** Starts a partial chunk of a stalled async source. */
  #timer: NodeJS.Immediate | undefined;

  constructor(options: ChunkOptions, map: ChunkMap<O>) {
    this.#options = options;
    this.#map = map;
  }

  /** A chunk is open to the inputs read next. */
  get gathering(): boolean {
    return this.#inputs !== undefined;
  }

  /**
   * Opens a chunk of at most `most` inputs if `room` (the inputs the map may read now)
   * holds all of it, or `anyway`; false means wait for room.
   */
  open(most: number, room: number, anyway: boolean): boolean {
    const limit = Math.min(most, Math.max(1, this.#options.size()));
    if (!anyway && room < limit) return false;
    this.#limit = limit;
    this.#inputs = [];
    return true;
  }

  /** Adds an input read to the open chunk, and starts the chunk once it is full. */
  add(input: I): void {
    const inputs = this.#inputs!;
    inputs.push(input);
    if (inputs.length >= this.#limit) this.start();
  }

  /** Starts the inputs gathered so far, if any. */
  start(): void {
    clearImmediate(this.#timer);
    this.#timer = undefined;
    const chunk = this.#inputs;
    if (!chunk || chunk.length === 0) return;
    this.#inputs = undefined;
    const count = chunk.length;
    const first = this.#map.take(count);
    const { settle } = this.#map;
    this.#options.start(chunk, first, this.#map.cancel).then(
      ({ values, failures }) => {
        for (let offset = 0; offset < count; offset++) {
          const error = failures?.get(offset);
          const index = first + offset;
          settle(
            error ? { index, ok: false, error } : { index, ok: true, value: values[offset] as O },
          );
        }
      },
      (thrown: unknown) => {
        const error = toError(thrown);
        for (let offset = 0; offset < count; offset++)
          settle({ index: first + offset, ok: false, error });
      },
    );
  }

  /**
   * Starts the open chunk as it is at the end of this turn of the event loop: a source
   * that stalls part-way through one does not hold back the inputs it gave.
   */
  startSoon(): void {
    this.#timer ??= setImmediate(() => this.start());
  }

  /** Drops the open chunk and any start planned: the map is over. */
  drop(): void {
    clearImmediate(this.#timer);
    this.#timer = undefined;
    this.#inputs = undefined;
  }
}

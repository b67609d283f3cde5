/**
 * The inputs of a `map`: any iterable or async iterable (an array, a generator, a
 * stream), pulled through one interface, and refused at the call site when they are not.
 */

/** One pull interface over sync and async iterables; sync ones are not forced through a promise per item. */
export interface Source<I> {
  next(): IteratorResult<I> | Promise<IteratorResult<I>>;
  return(): Promise<void>;
}

export function openSource<I>(inputs: Iterable<I> | AsyncIterable<I>): Source<I> {
  checkInputs(inputs);
  if (typeof (inputs as AsyncIterable<I>)[Symbol.asyncIterator] === 'function') {
    const iterator = (inputs as AsyncIterable<I>)[Symbol.asyncIterator]();
    return { next: () => iterator.next(), return: async () => void (await iterator.return?.()) };
  }
  const iterator = (inputs as Iterable<I>)[Symbol.iterator]();
  return { next: () => iterator.next(), return: async () => void iterator.return?.() };
}

/** Throws at the call site (not at the first iteration) when `inputs` cannot be iterated. */
export function checkInputs(inputs: unknown): void {
  const iterable =
    inputs != null &&
    (typeof (inputs as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' ||
      typeof (inputs as Iterable<unknown>)[Symbol.iterator] === 'function');
  if (!iterable) {
    throw new TypeError(
      `map(): inputs must be an Iterable or AsyncIterable (an array, a generator, a stream), got ${inputs === null ? 'null' : typeof inputs}`,
    );
  }
}

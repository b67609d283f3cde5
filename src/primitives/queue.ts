import { checkSignal } from '../core/checks.js';
import { QueueClosedError } from '../core/errors.js';
import { abortError, isAborted, onAbort } from './abort.js';
import { Fifo, type FifoNode } from './fifo.js';

interface Taker<T> {
  give(value: T): void;
  end(): void;
}

interface Putter<T> {
  readonly value: T;
  accept(): void;
  refuse(): void;
}

/**
 * A bounded FIFO channel between producers and consumers on the event loop (asyncio's
 * `Queue`). `put` waits while the queue is full — that wait is the backpressure that keeps
 * memory bounded; `get` waits while it is empty. After `close()`, `put` fails, consumers
 * drain what is left, and then `get` rejects with {@link QueueClosedError} and `for await`
 * ends.
 *
 * @example
 * const q = new Queue<string>(100);
 * producer: await q.put(line); ... q.close();
 * consumer: for await (const line of q) handle(line);
 */
export class Queue<T> implements AsyncIterable<T> {
  readonly capacity: number;
  readonly #items = new Fifo<T>();
  readonly #takers = new Fifo<Taker<T>>();
  readonly #putters = new Fifo<Putter<T>>();
  #closed = false;

  /** @param capacity - most items held; an integer >= 1 or `Infinity`. @default Infinity */
  constructor(capacity = Number.POSITIVE_INFINITY) {
    if (!(capacity === Number.POSITIVE_INFINITY || (Number.isInteger(capacity) && capacity >= 1))) {
      throw new RangeError(`Queue: capacity must be an integer >= 1 or Infinity, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** Items held now (not counting producers blocked in `put`). */
  get size(): number {
    return this.#items.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Adds `value`, waiting while the queue is full. Rejects if the queue is or gets closed, or `signal` aborts. */
  put(value: T, options: { signal?: AbortSignal } = {}): Promise<void> {
    const signal = checkSignal(options.signal, 'Queue.put()');
    if (this.#closed) return Promise.reject(new QueueClosedError('put'));
    if (isAborted(signal)) return Promise.reject(abortError(signal!));
    if (this.#offer(value)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let node: FifoNode<Putter<T>> | undefined;
      const detach = onAbort(signal, (error) => {
        if (node) this.#putters.remove(node);
        reject(error);
      });
      node = this.#putters.push({
        value,
        accept: () => {
          detach();
          resolve();
        },
        refuse: () => {
          detach();
          reject(new QueueClosedError('put'));
        },
      });
    });
  }

  /** Adds `value` if there is room now; returns whether it was added. */
  tryPut(value: T): boolean {
    if (this.#closed) throw new QueueClosedError('put');
    return this.#offer(value);
  }

  /** Takes the oldest item, waiting while the queue is empty. Rejects once closed and drained, or if `signal` aborts. */
  get(options: { signal?: AbortSignal } = {}): Promise<T> {
    const signal = checkSignal(options.signal, 'Queue.get()');
    if (isAborted(signal)) return Promise.reject(abortError(signal!));
    if (this.#items.size > 0) return Promise.resolve(this.#take());
    if (this.#closed) return Promise.reject(new QueueClosedError('get'));
    return new Promise<T>((resolve, reject) => {
      let node: FifoNode<Taker<T>> | undefined;
      const detach = onAbort(signal, (error) => {
        if (node) this.#takers.remove(node);
        reject(error);
      });
      node = this.#takers.push({
        give: (value) => {
          detach();
          resolve(value);
        },
        end: () => {
          detach();
          reject(new QueueClosedError('get'));
        },
      });
    });
  }

  /** Stops accepting items. Waiting producers are refused; consumers still drain what is held. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (let p = this.#putters.shift(); p; p = this.#putters.shift()) p.refuse();
    for (let t = this.#takers.shift(); t; t = this.#takers.shift()) t.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (this.#items.size > 0 || !this.#closed) {
      try {
        yield await this.get();
      } catch (error) {
        if (error instanceof QueueClosedError) return;
        throw error;
      }
    }
  }

  #offer(value: T): boolean {
    const taker = this.#takers.shift();
    if (taker) {
      taker.give(value);
      return true;
    }
    if (this.#items.size < this.capacity) {
      this.#items.push(value);
      return true;
    }
    return false;
  }

  #take(): T {
    const value = this.#items.shift() as T;
    // A slot opened: move the longest-waiting producer's item in.
    const putter = this.#putters.shift();
    if (putter) {
      this.#items.push(putter.value);
      putter.accept();
    }
    return value;
  }
}

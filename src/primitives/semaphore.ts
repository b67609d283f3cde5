import { checkSignal } from '../core/checks.js';
import { type Abortable, abortError, isAborted, onAbort } from './abort.js';
import type { FifoNode } from './fifo.js';
import { PriorityQueue } from './priority-queue.js';

/** Gives back a permit; calling it more than once has no further effect. */
export type Release = () => void;

interface Waiter {
  grant(release: Release): void;
}

/**
 * A counting semaphore for the event loop: at most `permits` holders at once, the rest
 * wait in arrival order (within a priority, for the executors that queue here). Waiting
 * can be abandoned through an `AbortSignal`.
 *
 * @example
 * const sem = new Semaphore(10);
 * await Promise.all(urls.map((url) => sem.run(() => fetch(url))));
 */
export class Semaphore {
  #available: number;
  readonly #waiters = new PriorityQueue<Waiter>();

  /** @param permits - how many holders at once; an integer >= 1 (`Infinity` allowed). */
  constructor(permits: number) {
    if (!(permits === Number.POSITIVE_INFINITY || (Number.isInteger(permits) && permits >= 1))) {
      throw new RangeError(
        `Semaphore: permits must be an integer >= 1 or Infinity, got ${permits}`,
      );
    }
    this.#available = permits;
  }

  /** Permits free right now. */
  get available(): number {
    return this.#available;
  }

  /** Callers waiting for a permit. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /**
   * Waits for a permit and resolves with the function that releases it. Rejects with
   * `CancelledError` if `signal` aborts while waiting (no permit is then taken).
   */
  acquire(options: { signal?: AbortSignal } = {}): Promise<Release> {
    return this.acquireUntil(checkSignal(options.signal, 'Semaphore.acquire()'));
  }

  /**
   * {@link acquire} abandoned when `source` aborts, which may be a controller: executors
   * queue thousands of tasks here, and a controller's signal costs more to make than the
   * wait itself. A higher `priority` is served before a lower one that waits. @internal
   */
  acquireUntil(source: Abortable | undefined, priority = 0): Promise<Release> {
    if (source && isAborted(source)) return Promise.reject(abortError(source));
    if (this.#available > 0 && this.#waiters.size === 0) {
      this.#available--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      let node: FifoNode<Waiter> | undefined;
      const detach = onAbort(source, (error) => {
        if (node) this.#waiters.remove(node, priority);
        reject(error);
      });
      node = this.#waiters.push(
        {
          grant: (release) => {
            detach();
            resolve(release);
          },
        },
        priority,
      );
    });
  }

  /** Takes a permit without waiting; returns `undefined` when none is free. */
  tryAcquire(): Release | undefined {
    if (this.#available > 0 && this.#waiters.size === 0) {
      this.#available--;
      return this.#releaser();
    }
    return undefined;
  }

  /** Acquires a permit, runs `fn`, and releases the permit however `fn` ends. */
  async run<T>(fn: () => T | PromiseLike<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    const release = await this.acquire(options);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      // The permit passes straight to the next waiter, so no newcomer can overtake it.
      if (next) next.grant(this.#releaser());
      else this.#available++;
    };
  }
}

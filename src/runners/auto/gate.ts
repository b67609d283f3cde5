/**
 * Where runs of `auto` wait for room, highest priority first and in arrival order within
 * one, each leaving the line when its run
 * is cancelled. Room is whatever `take` finds — a place on the route the controller chose
 * now — and a run let in is started there and then, before the next one is considered: so
 * one opening admits exactly one run, and what that run costs the calling thread (see
 * `turn.ts`) counts before another is let in.
 */
import { type Abortable, abortError, isAborted, onAbort } from '../../primitives/abort.js';
import { PriorityQueue } from '../../primitives/priority-queue.js';

export class Gate<Place> {
  readonly #take: () => Place | undefined;
  readonly #waiters = new PriorityQueue<(place: Place) => void>();

  /** `take` reserves a place and returns it, or returns `undefined` when there is none. */
  constructor(take: () => Place | undefined) {
    this.#take = take;
  }

  /** Runs waiting for a place. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /**
   * Starts the run with `start` at a place, now or once there is room; rejects if `cancel`
   * aborts while it waits, or at once with what `refuse` returns if it would have to wait
   * and `refuse` objects (a full queue). `start` must not throw. A run of higher `priority`
   * is let in before waiting runs of lower ones.
   */
  enter<T>(
    cancel: Abortable,
    start: (place: Place) => Promise<T>,
    refuse?: () => Error | undefined,
    priority = 0,
  ): Promise<T> {
    if (this.#waiters.size === 0) {
      const place = this.#take();
      if (place !== undefined) return start(place);
    }
    const refused = refuse?.();
    if (refused) return Promise.reject(refused);
    if (isAborted(cancel)) return Promise.reject(abortError(cancel));
    return new Promise((resolve, reject) => {
      const node = this.#waiters.push((place) => {
        detach();
        resolve(start(place));
      }, priority);
      const detach = onAbort(cancel, (error) => {
        this.#waiters.remove(node, priority);
        reject(error);
      });
    });
  }

  /** Lets waiting runs in, by priority and then oldest first, while there is room. */
  wake(): void {
    while (this.#waiters.size > 0) {
      const place = this.#take();
      if (place === undefined) return;
      this.#waiters.shift()!(place);
    }
  }
}

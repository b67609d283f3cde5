/**
 * Where runs of `auto` wait for room, highest priority first and in arrival order within
 * one, each leaving the line when its run is cancelled. Room is whatever `take` finds for
 * a run of so many inputs — a place on the route the controller chose now — and a run let
 * in is started there and then, before the next one is considered: so one opening admits
 * exactly one run, and what that run costs the calling thread (see `turn.ts`) counts
 * before another is let in.
 */
import type { Ended } from '../../core/runner.js';
import { type Abortable, abortError, isAborted, onAbort } from '../../primitives/abort.js';
import { PriorityQueue } from '../../primitives/priority-queue.js';

/** How a run enters the gate. */
export interface Entry {
  /** Its inputs (a chunk's, or one): what {@link Gate.waiting} counts, and `take` is asked room for. @default 1 */
  readonly inputs?: number;
  /** Told that all its inputs failed when it leaves the line cancelled (see {@link Ended}). */
  readonly ended: Ended;
  /** Why it is refused now, if it would have to wait (a full queue), or `undefined`. */
  readonly refuse?: (() => Error | undefined) | undefined;
  /** A run of higher priority is let in before waiting runs of lower ones. @default 0 */
  readonly priority?: number;
}

interface Waiter<Place> {
  readonly inputs: number;
  readonly admit: (place: Place) => void;
}

export class Gate<Place> {
  readonly #take: (inputs: number) => Place | undefined;
  readonly #waiters = new PriorityQueue<Waiter<Place>>();
  #waitingInputs = 0;

  /** `take` reserves a place for a run of `inputs` and returns it, or returns `undefined` when there is none. */
  constructor(take: (inputs: number) => Place | undefined) {
    this.#take = take;
  }

  /** Inputs of the runs waiting for a place. */
  get waiting(): number {
    return this.#waitingInputs;
  }

  /**
   * Starts the run with `start` at a place, now or once there is room; rejects if `cancel`
   * aborts while it waits (telling `ended` first, in the same step it stops counting as
   * waiting), or at once with what `refuse` returns if it would have to wait and `refuse`
   * objects. `start` must not throw.
   */
  enter<T>(
    cancel: Abortable,
    start: (place: Place) => Promise<T>,
    { inputs = 1, ended, refuse, priority = 0 }: Entry,
  ): Promise<T> {
    if (this.#waiters.size === 0) {
      const place = this.#take(inputs);
      if (place !== undefined) return start(place);
    }
    const refused = refuse?.();
    if (refused) return Promise.reject(refused);
    if (isAborted(cancel)) {
      ended(0, inputs);
      return Promise.reject(abortError(cancel));
    }
    return new Promise((resolve, reject) => {
      const node = this.#waiters.push(
        {
          inputs,
          admit: (place) => {
            detach();
            resolve(start(place));
          },
        },
        priority,
      );
      this.#waitingInputs += inputs;
      const detach = onAbort(cancel, (error) => {
        this.#waiters.remove(node, priority);
        this.#waitingInputs -= inputs;
        ended(0, inputs);
        reject(error);
      });
    });
  }

  /** Lets waiting runs in, by priority and then oldest first, while there is room. */
  wake(): void {
    for (let next = this.#waiters.peek(); next; next = this.#waiters.peek()) {
      const place = this.#take(next.inputs);
      if (place === undefined) return;
      this.#waiters.shift();
      this.#waitingInputs -= next.inputs;
      next.admit(place);
    }
  }
}

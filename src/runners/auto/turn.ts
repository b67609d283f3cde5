/**
 * How long the calling thread has been running tasks in the current turn of its event
 * loop. Past {@link TURN_BUDGET_MS}, `auto` starts no more tasks there until the next
 * turn, so timers, I/O and completions — the workers' messages among them — get in (and
 * it can measure) even when every task computes without a real wait.
 *
 * The turn is timed from its first start, not summed over the tasks' synchronous calls:
 * an `async` task that computes after an `await` of something already settled does its
 * work in a continuation, after its call has returned, and each one that finishes starts
 * the next in the same chain of continuations; counted by their calls, such tasks never
 * used the budget, and the thread never got back to its event loop.
 */
import { TURN_BUDGET_MS } from './settings.js';

export class Turn {
  /** When the first task of this turn started; `undefined` before one has. */
  #startedAt: number | undefined;
  readonly #onNext: () => void;
  readonly #now: () => number;

  /** `onNext` is called as each new turn begins after a task started in the last one. */
  constructor(onNext: () => void, now: () => number = () => performance.now()) {
    this.#onNext = onNext;
    this.#now = now;
  }

  get exhausted(): boolean {
    return this.#startedAt !== undefined && this.#now() - this.#startedAt >= TURN_BUDGET_MS;
  }

  /** A task starts on the calling thread. */
  starting(): void {
    if (this.#startedAt !== undefined) return;
    this.#startedAt = this.#now();
    setImmediate(() => {
      this.#startedAt = undefined;
      this.#onNext();
    });
  }
}

/**
 * How much synchronous task code the calling thread has run in the current turn of its
 * event loop. Past {@link TURN_BUDGET_MS}, `auto` starts no more tasks there until the
 * next turn, so timers, I/O and completions get in (and it can measure) even when every
 * task computes without awaiting.
 */
import { TURN_BUDGET_MS } from './settings.js';

export class Turn {
  #spentMs = 0;
  #next: NodeJS.Immediate | undefined;
  readonly #onNext: () => void;

  /** `onNext` is called as each new turn begins after some work was counted. */
  constructor(onNext: () => void) {
    this.#onNext = onNext;
  }

  get exhausted(): boolean {
    return this.#spentMs >= TURN_BUDGET_MS;
  }

  /** Counts `ms` of task code run in this turn. */
  spend(ms: number): void {
    this.#spentMs += ms;
    this.#next ??= setImmediate(() => {
      this.#next = undefined;
      this.#spentMs = 0;
      this.#onNext();
    });
  }
}

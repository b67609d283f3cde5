/**
 * The outcomes a `map` has settled and not yet yielded, handed out in completion order or,
 * `ordered`, in input order: a queue, or a ring of the window's size indexed by input
 * index (an input is read only while fewer than the window are between read and yielded,
 * so no two held at once share a slot).
 */
import type { Settled } from '../core/types.js';

export class Outcomes<O> {
  readonly #window: number;
  readonly #ordered: boolean;
  /** Completion order from `#head`; or (ordered) a ring indexed by input index. */
  readonly #ready: (Settled<O> | undefined)[] = [];
  #head = 0;
  /** Ordered: index of the next outcome due. */
  #nextIndex = 0;

  constructor(window: number, ordered: boolean) {
    this.#window = window;
    this.#ordered = ordered;
  }

  put(outcome: Settled<O>): void {
    if (this.#ordered) this.#ready[outcome.index % this.#window] = outcome;
    else this.#ready.push(outcome);
  }

  /** The next outcome due, if it has settled. */
  take(): Settled<O> | undefined {
    const ready = this.#ready;
    if (!this.#ordered) {
      if (this.#head === ready.length) return undefined;
      const outcome = ready[this.#head++];
      if (this.#head === ready.length) {
        ready.length = 0;
        this.#head = 0;
      }
      return outcome;
    }
    const slot = this.#nextIndex % this.#window;
    const outcome = ready[slot];
    if (outcome) {
      ready[slot] = undefined;
      this.#nextIndex++;
    }
    return outcome;
  }
}

/**
 * How far a run reads ahead of its results. An executor's `map` may read thousands of inputs
 * ahead, and every input read is a task that will run: on Ctrl-C a run stops reading, and
 * whatever was read still has to finish. So the run keeps in flight only what the executor
 * can use — twice its concurrency, or about {@link HORIZON_MS} of work at the measured
 * rate when tasks are so quick that more is needed to keep it busy — and a stop then
 * takes about one task's time, not a whole read-ahead window's.
 */

/** Work kept in flight, in ms at the measured rate, when twice the concurrency is less. */
export const HORIZON_MS = 250;
/** ms between two readings of the executor's concurrency (reading `stats()` is not free). */
const CAPACITY_EVERY_MS = 50;
/** Results seen before their pace counts: a first pair that lands together says nothing. */
const MIN_RESULTS = 8;
/** Weight of the newest gap in the smoothed one, once the first results are averaged. */
const GAP_WEIGHT = 1 / 32;

export class Pacer {
  readonly #capacity: () => number;
  readonly #now: () => number;
  #inFlight = 0;
  /** ms between two results, smoothed; `undefined` until two results have been seen. */
  #gap: number | undefined;
  #lastAt: number | undefined;
  #results = 0;
  #capacityValue = 1;
  #capacityAt = Number.NEGATIVE_INFINITY;
  #wake: (() => void) | undefined;

  /** @param capacity - the executor's concurrency now (it may change, under `auto`). */
  constructor(capacity: () => number, now: () => number = () => performance.now()) {
    this.#capacity = capacity;
    this.#now = now;
  }

  /** Inputs sent and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Most inputs in flight now. */
  get allowance(): number {
    const now = this.#now();
    if (now - this.#capacityAt >= CAPACITY_EVERY_MS) {
      this.#capacityValue = this.#capacity();
      this.#capacityAt = now;
    }
    const paced = this.#gap !== undefined && this.#results >= MIN_RESULTS;
    const ahead = paced ? Math.ceil(HORIZON_MS / Math.max(this.#gap!, 1e-3)) : 0;
    return Math.max(2 * this.#capacityValue, ahead);
  }

  /** `undefined` when another input may be sent now; else a promise for when it may. */
  room(): Promise<void> | undefined {
    if (this.#inFlight < this.allowance) return undefined;
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** An input was sent. */
  sent(): void {
    this.#inFlight++;
  }

  /** An input's result arrived: the rate is updated, and a waiting reader may go on. */
  settled(): void {
    this.#inFlight--;
    const now = this.#now();
    if (this.#lastAt !== undefined) {
      // Gaps are averaged, not rates: results come in bursts (a pool's workers finish
      // together), and a burst's near-zero gaps would make an average of rates explode.
      // The first results weigh alike (a plain mean), later ones fade in gently.
      const gap = now - this.#lastAt;
      const weight = Math.max(1 / this.#results, GAP_WEIGHT);
      this.#gap = this.#gap === undefined ? gap : this.#gap + weight * (gap - this.#gap);
    }
    this.#results++;
    this.#lastAt = now;
    const wake = this.#wake;
    if (wake && this.#inFlight < this.allowance) {
      this.#wake = undefined;
      wake();
    }
  }

  /** Releases a reader waiting for room, so that it can see the run has stopped. */
  release(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/**
 * The latest timings of a pool, kept in a fixed ring so memory stays flat however many
 * tasks run; percentiles are computed only when stats are asked for.
 */

import type { Percentiles } from '../../core/types.js';

export class Samples {
  readonly #ring: Float64Array;
  #count = 0;

  constructor(capacity = 1024) {
    this.#ring = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.#ring[this.#count++ % this.#ring.length] = ms;
  }

  percentiles(): Percentiles {
    const n = Math.min(this.#count, this.#ring.length);
    if (n === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
    const sorted = this.#ring.slice(0, n).sort();
    const at = (q: number) => sorted[Math.min(n - 1, Math.floor(q * n))]!;
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[n - 1]! };
  }
}

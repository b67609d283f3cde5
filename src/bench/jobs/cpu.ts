/**
 * The classic CPU-bound job of the concurrency experiment: `sum(i * i for i < n)`.
 *
 * It is a real module (not a closure) so that every executor, including `threads`,
 * `processes` and `distributed`, can load it by reference where it runs.
 *
 * @module
 */
import { task } from '../../core/task.js';

/** The largest `n` {@link sumOfSquares} accepts: every `i < 2^32` splits into two 16-bit halves (see below). */
export const MAX_SUM_OF_SQUARES_N = 2 ** 32;

/**
 * Sums `i * i` for every integer `0 <= i < n`, exactly, doing all `n` multiplications on
 * plain doubles (no BigInt in the loop, so the job stays as CPU-bound as the classic one),
 * and returns the sum in decimal, which every transport (structured clone, IPC, JSON for
 * `distributed`) carries unchanged.
 *
 * @param n - an integer in `[0, 2^32]`
 * @returns the exact sum in decimal
 * @throws RangeError if `n` is not an integer in that range
 * @example
 * sumOfSquares(5_000_000); // '41666654166667500000'
 */
export function sumOfSquares(n: number): string {
  return sumOfSquaresBetween(0, n);
}

/**
 * Sums `i * i` for every integer `from <= i < to`, exactly: {@link sumOfSquares} is
 * `sumOfSquaresBetween(0, n)`.
 *
 * A square above 2^53 is no longer exact in a double, and the calibrated job reaches n of
 * 10^8 and more. So each `i` is split as `h * 2^16 + l`, and `i * i` is summed as its three
 * exact parts `h*h * 2^32 + 2*h*l * 2^16 + l*l`, each part below 2^32. In blocks of 2^20
 * numbers no part's running sum reaches 2^53, where a double stops being exact; each block
 * is then added to a BigInt. The three independent sums cost about what one did: the loop
 * is bound by the latency of its additions, not by the multiplications.
 *
 * @param from - an integer in `[0, to]`
 * @param to - an integer in `[from, 2^32]`
 */
export function sumOfSquaresBetween(from: number, to: number): string {
  checkBound('from', from, 0);
  checkBound('n', to, from);
  // Local constants, not module ones: bundled, a module's `const` becomes a `var`, which
  // V8 cannot fold into the loop (that once made this loop twice as slow).
  const BLOCK = 2 ** 20;
  const LOW_BITS = 0xffff;
  let total = 0n;
  for (let start = from; start < to; start += BLOCK) {
    const end = Math.min(to, start + BLOCK);
    let highs = 0;
    let crosses = 0;
    let lows = 0;
    for (let i = start; i < end; i++) {
      const h = i >>> 16;
      const l = i & LOW_BITS;
      highs += h * h;
      crosses += h * l;
      lows += l * l;
    }
    total += (BigInt(highs) << 32n) + (BigInt(crosses) << 17n) + BigInt(lows);
  }
  return total.toString();
}

function checkBound(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > MAX_SUM_OF_SQUARES_N) {
    throw new RangeError(
      `sumOfSquares(): ${name} must be an integer in [${min}, ${MAX_SUM_OF_SQUARES_N}] so that every step stays exact, got ${String(value)}; use a smaller n (or --scale)`,
    );
  }
}

/**
 * The closed form `n(n-1)(2n-1)/6` of {@link sumOfSquares}, in BigInt: the check that
 * every benchmark result is verified against.
 *
 * @example
 * sumOfSquaresFormula(5_000_000) === BigInt(sumOfSquares(5_000_000)); // true
 */
export function sumOfSquaresFormula(n: number | bigint): bigint {
  const big = BigInt(n);
  if (big < 0n) throw new RangeError(`sumOfSquaresFormula(): n must be >= 0, got ${big}`);
  if (big === 0n) return 0n;
  return (big * (big - 1n) * (2n * big - 1n)) / 6n;
}

/** A reference to {@link sumOfSquares}, loadable by every executor. */
export const sumOfSquaresTask = task<number, string>(import.meta.url, 'sumOfSquares');

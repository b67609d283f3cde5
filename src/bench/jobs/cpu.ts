/**
 * The classic CPU-bound job of the concurrency experiment: `sum(i * i for i < n)`.
 *
 * It is a real module (not a closure) so that every executor, including `threads`,
 * `processes` and `distributed`, can load it by reference where it runs.
 *
 * @module
 */
import { task } from '../../core/task.js';

/**
 * The largest `n` {@link sumOfSquares} accepts: every `i * i` with `i < 2^26` is below
 * 2^52, which keeps each addition into the low accumulator exact (see below).
 */
export const MAX_SUM_OF_SQUARES_N = 2 ** 26;

/**
 * Sums `i * i` for every integer `0 <= i < n`, exactly, doing all `n` multiplications on
 * plain doubles (no BigInt in the loop, so the job stays as CPU-bound as the classic one).
 * The sum exceeds 2^53 once `n` passes about 380,000, so it is kept in two doubles — a
 * count of 2^52 units and a remainder — and returned as a decimal string, which every
 * transport (structured clone, IPC, JSON for `distributed`) carries unchanged.
 *
 * @param n - an integer in `[0, 2^26]`
 * @returns the exact sum in decimal
 * @throws RangeError if `n` is not an integer in that range
 * @example
 * sumOfSquares(5_000_000); // '41666654166667500000'
 */
export function sumOfSquares(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > MAX_SUM_OF_SQUARES_N) {
    throw new RangeError(
      `sumOfSquares(): n must be an integer in [0, ${MAX_SUM_OF_SQUARES_N}] so that every step stays exact, got ${String(n)}; use a smaller n (or --scale)`,
    );
  }
  // The low accumulator carries into the high one whenever it reaches 2^52. Since the low
  // part stays below 2^52 and every square is below 2^52, their sum stays below 2^53, where
  // every integer is a double: no addition ever rounds. A local constant, not a module
  // one: bundled, a module's `const` becomes a `var`, which V8 cannot fold into the loop
  // (that made this loop twice as slow).
  const CARRY = 2 ** 52;
  let high = 0;
  let low = 0;
  for (let i = 0; i < n; i++) {
    low += i * i;
    if (low >= CARRY) {
      low -= CARRY;
      high++;
    }
  }
  return (BigInt(high) * BigInt(CARRY) + BigInt(low)).toString();
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

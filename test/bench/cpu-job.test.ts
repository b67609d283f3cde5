import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  MAX_SUM_OF_SQUARES_N,
  sumOfSquares,
  sumOfSquaresBetween,
  sumOfSquaresFormula,
  sumOfSquaresTask,
} from '../../src/bench/jobs/cpu.js';
import { createExecutor } from '../../src/executor/create.js';

/** The definition itself, term by term in BigInt: slow but beyond doubt. */
function bigintSum(n: number, from = 0): bigint {
  let sum = 0n;
  for (let i = BigInt(from); i < BigInt(n); i++) sum += i * i;
  return sum;
}

describe('sumOfSquares (the classic CPU job)', () => {
  it('equals the term-by-term BigInt sum for small n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_000 }), (n) => {
        assert.equal(sumOfSquares(n), bigintSum(n).toString());
      }),
    );
  });

  it('agrees with the closed form n(n-1)(2n-1)/6 for small n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_000 }), (n) => {
        assert.equal(sumOfSquaresFormula(n), bigintSum(n));
      }),
    );
  });

  it('stays exact for large n, where the sum is far above 2^53', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400_000, max: 6_000_000 }), (n) => {
        const got = BigInt(sumOfSquares(n));
        assert.ok(got > 2n ** 53n);
        assert.equal(got, sumOfSquaresFormula(n));
      }),
      { numRuns: 8 },
    );
  });

  it('is exact at the classic size, and across block boundaries', () => {
    assert.equal(sumOfSquares(5_000_000), '41666654166667500000');
    // Blocks of 2^20 numbers: a range that starts inside one and ends inside the next.
    const from = 2 ** 20 - 1_500;
    assert.equal(
      BigInt(sumOfSquaresBetween(from, 2 ** 20 + 1_500)),
      bigintSum(2 ** 20 + 1_500, from),
    );
  });

  it('stays exact up to the largest n it accepts, where each square is near 2^64', () => {
    // Every i below 2^32 splits into 16-bit halves; the top of the range is the hardest case.
    for (const from of [2 ** 26 - 1_000, 94_906_000, MAX_SUM_OF_SQUARES_N - 3_000]) {
      const to = Math.min(from + 3_000, MAX_SUM_OF_SQUARES_N);
      assert.equal(BigInt(sumOfSquaresBetween(from, to)), bigintSum(to, from), `from ${from}`);
      assert.equal(
        BigInt(sumOfSquaresBetween(from, to)),
        sumOfSquaresFormula(to) - sumOfSquaresFormula(from),
      );
    }
  });

  it('rejects an n that is negative, fractional or too large to stay exact, naming the limit', () => {
    for (const bad of [-1, 1.5, Number.NaN, MAX_SUM_OF_SQUARES_N + 1]) {
      assert.throws(() => sumOfSquares(bad), {
        name: 'RangeError',
        message: /n must be an integer in \[0, 4294967296\]/,
      });
    }
    assert.throws(() => sumOfSquaresBetween(10, 5), {
      name: 'RangeError',
      message: /n must be an integer in \[10,/,
    });
  });

  it('runs by reference under an executor', async () => {
    await using ex = createExecutor({ mode: 'loop' });
    assert.equal(await ex.submit(sumOfSquaresTask, 10), '285');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  needsAnotherRun,
  type RepeatPolicy,
  settled,
  UNTIL_SETTLED,
  type UntilSettled,
} from '../../src/bench/repeats.js';
import { interquartileRange, median, quantile } from '../../src/bench/stats.js';

/** Feeds a policy run times from `next` until it stops; returns the runs it asked for. */
function runUntilDone(policy: RepeatPolicy, next: (run: number) => number): number[] {
  const walls: number[] = [];
  while (needsAnotherRun(policy, walls)) walls.push(next(walls.length));
  return walls;
}

const policy: UntilSettled = {
  kind: 'until-settled',
  minRuns: 5,
  maxRuns: 15,
  tolerance: 0.05,
  budgetMs: 12_000,
};

describe('the statistics of the runs', () => {
  it('median and quartiles lie between the fastest and the slowest run, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (values) => {
          const { low, high } = interquartileRange(values);
          const mid = median(values);
          assert.ok(Math.min(...values) <= low && low <= mid && mid <= high);
          assert.ok(high <= Math.max(...values));
        },
      ),
    );
  });

  it('interpolates between the nearest runs, as R and numpy do by default', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.deepEqual(interquartileRange([1, 2, 3, 4, 5]), { low: 2, high: 4 });
    assert.equal(quantile([10, 20], 0.25), 12.5);
    assert.throws(() => quantile([], 0.5), RangeError);
  });
});

describe('how many timed runs a mode gets', () => {
  it('--repeat N: exactly N runs, however noisy', () => {
    assert.equal(runUntilDone({ kind: 'fixed', runs: 3 }, (i) => (i % 2 ? 10 : 1_000)).length, 3);
    assert.equal(runUntilDone({ kind: 'fixed', runs: 1 }, () => 10).length, 1);
  });

  it('steady runs stop at the floor: five, so the middle half leaves out both extremes', () => {
    assert.deepEqual(
      runUntilDone(policy, () => 100),
      [100, 100, 100, 100, 100],
    );
  });

  it('noisy runs go on until the middle half settles within the tolerance', () => {
    // Alternating 100/130 never settles at first; later runs all at 100 pull the quartiles in.
    const walls = runUntilDone(policy, (i) => (i < 4 && i % 2 ? 130 : 100));
    assert.ok(walls.length > policy.minRuns);
    assert.ok(settled(walls, policy.tolerance));
    assert.ok(
      !settled(walls.slice(0, -1), policy.tolerance),
      'it stopped at the first settled run',
    );
  });

  it('runs that never settle stop at the cap', () => {
    assert.equal(runUntilDone(policy, (i) => (i % 2 ? 100 : 150)).length, policy.maxRuns);
  });

  it('no run starts that would end past the budget by the median so far; a long run runs once', () => {
    assert.equal(runUntilDone(policy, () => 16_300).length, 1);
    // 2.5 s runs: four fit in 12 s (10 s spent + 2.5 s), a fifth would not (12.5 + 2.5 > 12).
    assert.equal(runUntilDone(policy, (i) => (i % 2 ? 2_000 : 3_000)).length, 4);
  });

  it('always runs at least once, never past the cap, and never starts a run the budget cannot hold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.1, max: 20_000, noNaN: true }), {
          minLength: 20,
          maxLength: 20,
        }),
        (times) => {
          const walls = runUntilDone(UNTIL_SETTLED, (i) => times[i]!);
          assert.ok(walls.length >= 1 && walls.length <= UNTIL_SETTLED.maxRuns);
          for (let n = 1; n < walls.length; n++) {
            const before = walls.slice(0, n);
            const spent = before.reduce((a, b) => a + b, 0);
            assert.ok(spent + median(before) <= UNTIL_SETTLED.budgetMs, `run ${n + 1} started`);
          }
        },
      ),
    );
  });

  it('settles when both quartiles lie within ±tolerance of the median', () => {
    assert.equal(settled([100, 100, 104, 100, 96], 0.05), true);
    assert.equal(settled([80, 90, 100, 110, 120], 0.05), false);
    assert.equal(settled([], 0.05), false);
  });
});

/**
 * What a move to worker threads would bring a saturated calling thread (`outlook.ts`):
 * whether it pays, whether it is ruled out, and why not, in a reason's words.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LawContext, Measured } from '../../../src/runners/auto/moves.js';
import { threadsOutlook } from '../../../src/runners/auto/outlook.js';
import { THREADS_GAIN_TO_STAY } from '../../../src/runners/auto/settings.js';
import { computing, context, window } from './law-windows.js';

/** A saturated thread finishing 250 tasks of 4 ms a second, on a machine with CPUs to spare. */
const at: Measured = { ...window({ ...computing, throughput: 250 }), route: 'loop', level: 64 };
const quiet = { othersPerTaskMs: 0, contention: 0 };
const knowing = (remaining: number | undefined): LawContext => ({
  ...context,
  remaining: () => remaining,
  msToWorkers: () => 250,
});

describe('the outlook for worker threads', () => {
  it('pays for tasks of 4 ms with plenty of work left', () => {
    const outlook = threadsOutlook(at, knowing(2_000), quiet, undefined);
    assert.ok(outlook.predictedGain > 1.75, `gain ${outlook.predictedGain}`);
    assert.equal(outlook.pays, true);
    assert.equal(outlook.ruledOut, false);
  });

  it('does not pay where threads are not at hand, and says why in their words', () => {
    const outlook = threadsOutlook(at, knowing(2_000), quiet, 'this build has no threads mode');
    assert.equal(outlook.pays, false);
    assert.equal(outlook.ruledOut, false, 'they would gain: only unavailable');
    assert.equal(outlook.whyNot(), 'this build has no threads mode');
  });

  it('is ruled out when the work left would be done before the workers start', () => {
    const outlook = threadsOutlook(at, knowing(40), quiet, undefined);
    assert.equal(outlook.pays, false);
    assert.equal(outlook.ruledOut, true);
    assert.match(outlook.whyNot(), /the 40 tasks left would be done here in about 160 ms/);
  });

  it('is ruled out when other work keeps every CPU busy', () => {
    const outlook = threadsOutlook(
      { ...at, contention: 1 },
      knowing(2_000),
      { othersPerTaskMs: 0, contention: 1 },
      undefined,
    );
    assert.ok(outlook.predictedGain < THREADS_GAIN_TO_STAY);
    assert.equal(outlook.ruledOut, true);
    assert.match(outlook.whyNot(), /other work keeps this machine's CPUs busy/);
  });

  it('never both pays and is ruled out (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
        (cpuPerTaskMs, contention, remaining) => {
          const m = { ...at, cpuPerTaskMs, contention, throughput: 1000 / cpuPerTaskMs };
          const outlook = threadsOutlook(
            m,
            knowing(remaining),
            { ...quiet, contention },
            undefined,
          );
          assert.ok(!(outlook.pays && outlook.ruledOut));
          if (!outlook.pays) assert.ok(outlook.whyNot().length > 0);
        },
      ),
    );
  });
});

/**
 * What a move to worker threads would bring a saturated calling thread (`outlook.ts`):
 * whether it pays, whether it is ruled out, and why not, in a reason's words.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LawContext, Measured } from '../../../src/runners/auto/moves.js';
import { threadsOutlook } from '../../../src/runners/auto/outlook.js';
import { whyThreadsWouldNotHelp } from '../../../src/runners/auto/reasons.js';
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
    assert.match(
      outlook.whyNot(),
      /the 40 tasks not yet begun would all be under way here within about 160 ms/,
    );
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

  it("is not ruled out by a window whose other threads' CPU could not be told from the workers' start", () => {
    // The gain then rests on an earlier window's figure for them, which warm-up may inflate.
    const outlook = threadsOutlook(
      { ...at, othersUnknown: true },
      knowing(2_000),
      { othersPerTaskMs: 8, contention: 0 },
      undefined,
    );
    assert.ok(outlook.predictedGain < THREADS_GAIN_TO_STAY, `gain ${outlook.predictedGain}`);
    assert.equal(outlook.ruledOut, false);
    assert.equal(outlook.pays, false);
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

describe('why worker threads would not help, in words', () => {
  /** A saturated thread at 1,000 tasks a second of `cpuPerTaskMs` each, the fastest taking `fastestMs`. */
  const saturatedAt = (cpuPerTaskMs: number, fastestMs = cpuPerTaskMs): Measured => ({
    ...window({ busyShare: 1, cpuPerTaskMs, fastestMs, callShare: 0.95 }),
    route: 'loop',
    level: 64,
  });
  const why = (m: Measured, othersPerTaskMs: number, setting: LawContext = context) =>
    whyThreadsWouldNotHelp(
      threadsOutlook(m, setting, { othersPerTaskMs, contention: 0 }, undefined).predictedGain,
      { othersPerTaskMs, contention: 0 },
      m,
      setting,
    );

  it("names the process's other threads when they cost each task more than sending it, and the gain a move needs", () => {
    // 1 ms of CPU, 0.3 ms of libuv's pool or the garbage collector: 2 × 1 ÷ 1.3 ≈ 1.5×.
    assert.equal(
      why(saturatedAt(1), 0.3),
      "worker threads would finish only 1.5× as many (a move must promise 1.75× to pay for starting them), since besides its 1.0 ms of CPU, each task keeps this process's other threads and the programs it runs (libuv's pool, the garbage collector, child processes working for it) busy for 300 µs, which the workers would need as well",
    );
  });

  it('names the cost of sending a task that costs less to run (one message each)', () => {
    assert.match(
      why(saturatedAt(0.02), 0, { ...context, dispatchMs: () => 0.03 }),
      /^worker threads would finish only 0\.\d× as many, since sending each task to one costs this thread 30 µs, about as much as running it here \(20 µs of CPU\)$/,
    );
  });

  it('names the time a task blocks in its call, where that holds the thread more than its CPU', () => {
    // Blocked 2 ms beside 85 µs of CPU, and 3 ms of the other threads' CPU: 2 × 2.1 ÷ 5.1.
    const blocking = { ...saturatedAt(0.085), heldPerTaskMs: 2.1 };
    assert.match(
      why(blocking, 3),
      /, since besides its 2\.1 ms \(85 µs of CPU, the rest blocked in its call\), each task keeps/,
    );
  });

  it('names the tasks a worker may hold, when their waits need more', () => {
    // Tasks of 20 ms, 1 ms of it CPU, with one per worker at most: 2 × 1 × 1000 ÷ 20 ÷ 1000.
    assert.match(
      why(saturatedAt(1, 20), 0, { ...context, maxPerWorker: 1 }),
      /, since they would hold at most 1 per worker, fewer than the tasks' waits need to keep them busy$/,
    );
  });

  it('names the waits for a CPU when they alone keep the gain short', () => {
    // 4 ms tasks and 0.44 ms of the process's other threads each: 2 × 4 ÷ 4.44 = 1.8×, less
    // the tenth of it taken by waiting for a CPU: 1.72×.
    const m = { ...saturatedAt(4), contention: 0.1 };
    const run = { othersPerTaskMs: 0.44, contention: 0.1 };
    const { predictedGain } = threadsOutlook(m, context, run, undefined);
    assert.match(
      whyThreadsWouldNotHelp(predictedGain, run, m, context),
      /as many \(a move must promise 1\.75× to pay for starting them\), since this thread waited for one 10% of the time it could have run: the CPUs have that much less to spare for them$/,
    );
  });

  it('names how few tasks the caller offers at once', () => {
    const few = { ...saturatedAt(1), inFlight: 1 };
    assert.match(
      why(few, 0, { ...context, workers: 8, cpus: 8, waiting: () => 2 }),
      /, since the caller offers only 3 tasks at a time$/,
    );
  });
});

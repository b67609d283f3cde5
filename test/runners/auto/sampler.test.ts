import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_PLAN,
  NOT_SAMPLED,
  planForSize,
  planSize,
  Sampler,
} from '../../../src/runners/auto/sampler.js';
import { OVERLAPPED_LEVELS, SEQUENTIAL_SAMPLE } from '../../../src/runners/auto/thresholds.js';

const SLOW = { timeout: 120_000 };

/**
 * Offers `count` runs of `work` as a map through `auto` does — holding no more than the
 * sampler wants at a time — and waits for all: how many ran as samples, and how many
 * times each input ran.
 */
async function offerAll(sampler: Sampler, count: number, work: (n: number) => Promise<number>) {
  const runs = new Map<number, number>();
  const controller = new AbortController();
  const outcomes: Promise<unknown>[] = [];
  let held = 0;
  await new Promise<void>((offeredAll) => {
    const feed = () => {
      while (outcomes.length < count && held < sampler.wanted) {
        const n = outcomes.length;
        held++;
        const run = () => {
          runs.set(n, (runs.get(n) ?? 0) + 1);
          return work(n);
        };
        outcomes.push(
          sampler.offer(run, controller).finally(() => {
            held--;
            feed();
          }),
        );
      }
      if (outcomes.length === count) offeredAll();
    };
    feed();
  });
  const settled = await Promise.all(outcomes);
  settled.forEach((o, n) => {
    if (o !== NOT_SAMPLED) assert.equal(o, n, 'a sample resolves with its own result');
  });
  return { sampled: settled.filter((o) => o !== NOT_SAMPLED).length, runs };
}

/** A fresh sampler with the default plan, offered `count` runs of `work`, and what it measured. */
async function sample(count: number, work: (n: number) => Promise<number>) {
  const sampler = new Sampler(DEFAULT_PLAN);
  const offered = await offerAll(sampler, count, work);
  return { sampler, m: sampler.measurements()!, ...offered };
}

/** Waiting long enough that offering the other runs (CPU time during the first run's wait) stays a small share. */
const waits = async (n: number) => {
  await sleep(50);
  return n;
};

describe('the sampler', () => {
  // This process's own start-up (loading, compiling the sampler) would otherwise fall
  // within the first test's first run, which is meant to measure only a cold task.
  before(() => offerAll(new Sampler(DEFAULT_PLAN), 20, waits));

  it(
    'overlaps waiting work after one run alone, at 8, 32 and then 128 at once, as overlapping keeps paying',
    SLOW,
    async () => {
      const { m, sampled, runs } = await sample(300, waits);
      assert.equal(m.sequentialSamples, 1, 'a cold run that waits already shows the work waits');
      assert.deepEqual(OVERLAPPED_LEVELS, [8, 32, 128]);
      assert.equal(m.concurrentSamples, 8 + 32 + 128);
      assert.equal(m.concurrencyLevel, 128);
      assert.equal(sampled, 1 + 8 + 32 + 128);
      // Only the samples ran here; the rest were handed back, none twice.
      assert.equal(runs.size, sampled);
      assert.deepEqual(
        [...runs.values()].filter((n) => n !== 1),
        [],
      );
    },
  );

  it(
    'stops at the first overlapped level for work that computes half the time: overlapping it on one thread does not pay',
    SLOW,
    async () => {
      const half = async (n: number) => {
        // A fixed amount of arithmetic (several ms), not a fixed time: a loaded machine
        // stretches its wall time but not its CPU time.
        let x = 1;
        for (let i = 0; i < 2_000_000; i++) x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
        await sleep(8);
        // Uses the result, so that the computing cannot be optimised away (x is never 0.5).
        return x === 0.5 ? -1 : n;
      };
      const { m } = await sample(60, half);
      assert.ok(m.sequentialSamples >= SEQUENTIAL_SAMPLE.min, `${m.sequentialSamples} alone`);
      assert.equal(m.concurrentSamples, 8);
      assert.equal(m.concurrencyLevel, 8);
    },
  );

  it(
    'overlaps tiny tasks at the first level only: they finish before the next starts',
    SLOW,
    async () => {
      const { m } = await sample(200, async (n) => n);
      assert.equal(m.concurrentSamples, 8);
    },
  );

  it(
    'closes a level with what was waiting when its first run settled, and ends the sample there: inputs that run out still complete it',
    SLOW,
    async () => {
      const { sampler, m, sampled } = await sample(20, waits);
      await sampler.complete;
      assert.equal(sampled, 20);
      assert.equal(m.sequentialSamples + m.concurrentSamples, 20);
      assert.equal(m.concurrencyLevel, 20 - 8 - m.sequentialSamples);
    },
  );

  it(
    'resolves runs offered after the sample is complete with NOT_SAMPLED, without running them',
    SLOW,
    async () => {
      const { sampler } = await sample(60, waits);
      await sampler.complete;
      let ran = false;
      const late = await sampler.offer(async () => {
        ran = true;
        return 0;
      }, new AbortController());
      assert.equal(late, NOT_SAMPLED);
      assert.equal(ran, false);
    },
  );
});

describe('sample plans', () => {
  it('a plan for N inputs runs about half alone and the rest overlapped at one level', () => {
    assert.deepEqual(planForSize(16), { sequential: { min: 3, max: 8 }, overlapped: [8] });
    assert.deepEqual(planForSize(2), { sequential: { min: 2, max: 2 }, overlapped: [] });
    assert.equal(planSize(planForSize(16)), 16);
  });

  it('the default plan samples at most its runs alone and every overlapped level', () => {
    assert.equal(planSize(DEFAULT_PLAN), SEQUENTIAL_SAMPLE.max + 8 + 32 + 128);
    assert.equal(planSize(DEFAULT_PLAN, 32), 32 + 8 + 32 + 128);
  });
});

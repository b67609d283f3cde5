import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Mode } from '../../../src/core/types.js';
import { task } from '../../../src/index.js';
import {
  chunkedThreadsGain,
  decide,
  type Measurements,
} from '../../../src/runners/auto/classify.js';
import { profileTask } from '../../../src/runners/auto/profile.js';
import {
  CHUNKED_THREADS_GAIN,
  LOOP_CONCURRENCY_RANGE,
  TINY_TASK_MS,
} from '../../../src/runners/auto/thresholds.js';

const WORKLOADS = new URL('../../fixtures/workloads.mjs', import.meta.url);
const WITH_THREADS: readonly Mode[] = ['sync', 'loop', 'threads'];
const SLOW = { timeout: 120_000 };

const inputs = (count: number) => Array.from({ length: count }, (_, n) => ({ n }));

async function profile(name: string) {
  return profileTask(task(WORKLOADS, name), inputs(32), { available: WITH_THREADS });
}

describe('profiling the four kinds of work', () => {
  it(
    "classifies waiting on timers as I/O-bound and runs it on the event loop with concurrency from Little's law",
    SLOW,
    async () => {
      const { decision, sampled } = await profile('io');
      assert.equal(decision.workload, 'io-bound');
      assert.equal(decision.mode, 'loop');
      assert.ok(
        decision.concurrency >= LOOP_CONCURRENCY_RANGE.min &&
          decision.concurrency <= LOOP_CONCURRENCY_RANGE.max,
      );
      // Waiting overlaps well, so the sample goes on past its first level of 8 at once.
      assert.ok(decision.measured.concurrencyLevel! > 8, JSON.stringify(decision.measured));
      assert.ok(sampled > 8, `sampled ${sampled}`);
    },
  );

  it(
    'classifies arithmetic as CPU-bound and gives it one thread per usable CPU, without an overlapped sample',
    SLOW,
    async () => {
      const { decision, sampled } = await profile('cpu');
      assert.equal(decision.workload, 'cpu-bound');
      assert.equal(decision.mode, decision.measured.cpus! > 1 ? 'threads' : 'sync');
      assert.equal(decision.measured.concurrentSamples, 0);
      assert.ok(sampled <= 8, `sampled ${sampled}`);
    },
  );

  it(
    'classifies half arithmetic, half waiting as mixed and overlaps several tasks per thread',
    SLOW,
    async () => {
      const { decision } = await profile('mixed');
      assert.equal(decision.workload, 'mixed');
      if (decision.mode === 'threads') assert.ok(decision.tasksPerWorker! >= 2);
    },
  );

  it(
    'classifies microsecond tasks as tiny and keeps them on the calling thread',
    SLOW,
    async () => {
      const { decision } = await profile('tiny');
      assert.equal(decision.workload, 'tiny');
      assert.ok(['sync', 'loop'].includes(decision.mode), decision.reason);
    },
  );

  it(
    'classifies 100 µs of arithmetic as tiny, and sends it to threads in chunks when 2 CPUs are usable',
    SLOW,
    async () => {
      const { decision } = await profileTask(task(WORKLOADS, 'short'), inputs(48), {
        available: WITH_THREADS,
        workers: 2,
      });
      assert.equal(decision.workload, 'tiny');
      assert.equal(decision.mode, 'threads', decision.reason);
      assert.equal(decision.workers, 2);
    },
  );

  it('every decision carries a one-sentence reason and the numbers behind it', SLOW, async () => {
    const { decision } = await profile('io');
    assert.match(decision.reason, /^[^.]+[^.]*\.$/s);
    for (const key of ['wallMs', 'cpuMs', 'cpuShare', 'busyShare', 'sequentialPerSecond', 'cpus']) {
      assert.equal(typeof decision.measured[key], 'number', key);
    }
  });
});

describe('deciding from measurements', () => {
  const measured = (busyShare: number, wallMs = 20): Measurements => ({
    sequentialSamples: 8,
    wallMs,
    fastestWallMs: wallMs,
    fastestCallMs: wallMs * busyShare,
    cpuMs: busyShare * wallMs,
    cpuShare: busyShare,
    busyShare,
    sequentialPerSecond: 1000 / wallMs,
    concurrentSamples: 8,
    concurrencyLevel: 8,
    concurrentPerSecond: 8000 / wallMs,
    overlappedBusyMs: 0,
  });

  it('sizes loop concurrency as latency ÷ busy time, within its bounds', () => {
    assert.equal(decide(measured(0.1), { cpus: 4 }).concurrency, 10);
    assert.equal(decide(measured(0.0001), { cpus: 4 }).concurrency, LOOP_CONCURRENCY_RANGE.max);
    assert.equal(decide(measured(0.24), { cpus: 4 }).concurrency, 5);
  });

  it('prefers the busy time per task measured while overlapped, the cost the run will have', () => {
    const d = decide({ ...measured(0.1), overlappedBusyMs: 0.5 }, { cpus: 4 });
    assert.equal(d.concurrency, 40);
  });

  it('gives mixed work tasksPerWorker from its waiting share', () => {
    const d = decide(measured(0.5), { cpus: 4 });
    assert.deepEqual([d.mode, d.workers, d.tasksPerWorker, d.concurrency], ['threads', 4, 2, 8]);
    assert.equal(decide(measured(0.3), { cpus: 4 }).tasksPerWorker, 3);
  });

  it('never picks threads when only one CPU is usable or threads cannot run the task', () => {
    assert.equal(decide(measured(0.9), { cpus: 1 }).mode, 'sync');
    const plain = decide(measured(0.9), { cpus: 8, threadsUnavailable: 'a plain function' });
    assert.equal(plain.mode, 'sync');
    assert.match(plain.reason, /a plain function/);
    assert.equal(decide(measured(0.5), { cpus: 1 }).mode, 'loop');
  });

  describe('tiny tasks', () => {
    /** A task that returned after `callMs` and finished within `wallMs`, under the tiny bound. */
    const tiny = (callMs: number, wallMs = TINY_TASK_MS / 2): Measurements => ({
      ...measured(1, wallMs),
      fastestCallMs: callMs,
    });

    it('stay on the calling thread when a 10 µs task would gain too little from 2 threads', () => {
      const d = decide(tiny(0.01), { cpus: 2 });
      assert.equal(d.workload, 'tiny');
      assert.equal(d.mode, 'loop');
      assert.match(d.reason, /not worth starting them/);
    });

    it('go to chunked threads, one worker per CPU, when 100 µs tasks would run nearly twice as fast on 2', () => {
      const d = decide(tiny(0.1), { cpus: 2 });
      assert.deepEqual(
        [d.workload, d.mode, d.workers, d.tasksPerWorker],
        ['tiny', 'threads', 2, 1],
      );
      assert.match(d.reason, /threads fed in chunks/);
    });

    it('go to threads sooner the more CPUs there are: 10 µs tasks pay off on 8', () => {
      assert.equal(decide(tiny(0.01), { cpus: 8 }).mode, 'threads');
    });

    it('stay on the calling thread, saying why, when threads cannot run them', () => {
      assert.equal(decide(tiny(0.1), { cpus: 1 }).mode, 'loop');
      const plain = decide(tiny(0.1), { cpus: 2, threadsUnavailable: 'a plain function' });
      assert.equal(plain.mode, 'loop');
      assert.match(plain.reason, /a plain function/);
    });

    it('are worth threads only as far as the calling thread can send them', () => {
      // However many CPUs, one thread sends at most one input per dispatch cost.
      assert.ok(chunkedThreadsGain(0.001, 1_000) <= 0.001 / 0.004 + 1e-9);
      assert.ok(chunkedThreadsGain(0.1, 2) < 2);
      assert.ok(chunkedThreadsGain(0.1, 2) >= CHUNKED_THREADS_GAIN);
      assert.ok(chunkedThreadsGain(0.01, 2) < CHUNKED_THREADS_GAIN);
    });
  });

  it('runs tasks that never finished during sampling on the event loop', () => {
    const d = decide(undefined, { cpus: 4 });
    assert.equal(d.mode, 'loop');
    assert.match(d.reason, /no sampled task finished/);
  });
});

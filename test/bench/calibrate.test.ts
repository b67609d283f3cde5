import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CPU_BASE_N,
  CPU_TASKS,
  calibrateScale,
  cpuInputs,
  TARGET_SYNC_MS,
} from '../../src/bench/calibrate.js';
import { experiment, MAX_SCALE } from '../../src/bench/experiments.js';
import { MAX_SUM_OF_SQUARES_N } from '../../src/bench/jobs/cpu.js';
import { benchSettings } from '../../src/bench/settings.js';

/** A fake clock: each probe "takes" the next of `times` ms; records the n it was asked for. */
function probes(times: readonly number[]) {
  const asked: number[] = [];
  const probe = (n: number) => {
    asked.push(n);
    return times[asked.length - 1] ?? times[times.length - 1]!;
  };
  return { probe, asked };
}

/** What sync takes at `scale`, if one n of 5,000,000 takes `probeMs` and time grows with n. */
function predictedSyncMs(probeMs: number, scale: number): number {
  return (cpuInputs(scale).reduce((a, n) => a + n, 0) / CPU_BASE_N) * probeMs;
}

describe('sizing the CPU job', () => {
  it('keeps the classic shape: 20 values n = (5,000,000 + x) × scale', () => {
    assert.deepEqual(
      cpuInputs(1),
      Array.from({ length: CPU_TASKS }, (_, x) => 5_000_000 + x),
    );
    assert.equal(cpuInputs(16)[0], 80_000_000);
    assert.equal(cpuInputs(16)[19], (5_000_000 + 19) * 16);
  });

  it('picks the scale at which sync takes about 2 s, from the median of timed probes of the classic n', () => {
    // The first probe warms the JIT and is not counted; one stray slow probe is outvoted.
    const { probe, asked } = probes([400, 6, 6.2, 40, 5.8, 6]);
    const { scale, probeMs, reason } = calibrateScale(MAX_SCALE, probe);
    assert.deepEqual(asked, Array(6).fill(CPU_BASE_N));
    assert.equal(probeMs, 6);
    assert.equal(scale, 17); // 2000 / (20 × 6) = 16.7, to two significant digits
    const predicted = predictedSyncMs(6, scale);
    assert.ok(Math.abs(predicted - TARGET_SYNC_MS) / TARGET_SYNC_MS < 0.05, `${predicted} ms`);
    assert.match(reason, /n = 5,000,000 took 6\.0 ms/);
    assert.match(reason, /about 2\.04 s/);
  });

  it('a slower machine gets a smaller scale, a faster one a larger one', () => {
    const slow = calibrateScale(MAX_SCALE, probes([50]).probe).scale;
    const fast = calibrateScale(MAX_SCALE, probes([1]).probe).scale;
    assert.equal(slow, 2);
    assert.equal(fast, 100);
  });

  it('never goes past the scale that keeps every sum exact, and says so', () => {
    const { scale, reason } = calibrateScale(MAX_SCALE, probes([0.01]).probe);
    assert.equal(scale, MAX_SCALE);
    assert.ok(Math.max(...cpuInputs(scale)) <= MAX_SUM_OF_SQUARES_N);
    assert.match(reason, /largest that keeps every sum exact/);
  });

  it('keeps a very slow machine at a floor, and says so', () => {
    const { scale, reason } = calibrateScale(MAX_SCALE, probes([10_000]).probe);
    assert.equal(scale, 0.1);
    assert.match(reason, /smallest the bench uses/);
  });

  it('the CPU job calibrates itself unless a scale is given, and says which', async () => {
    const calibrated = await experiment('cpu', benchSettings());
    assert.match(
      calibrated.setup,
      /^scale ×[\d.]+: calibrated on this machine: .*; --scale sets it$/,
    );
    assert.equal(calibrated.params.firstN, cpuInputs(calibrated.params.scale!)[0]);
    const given = await experiment('cpu', benchSettings({ scale: 2 }));
    assert.equal(given.setup, 'scale ×2: set by --scale');
    assert.deepEqual(given.inputs('sync'), cpuInputs(2));
  });
});

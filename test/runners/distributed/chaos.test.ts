/**
 * The chaos run (`chaos.ts`) at a size the shared test machine can afford on every
 * `npm test`: the same faults — workers SIGKILLed and replaced, Redis SIGKILLed and back,
 * the executor's loop blocked 5 s, the event stream trimmed — over fewer inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisSkip } from '../../support/redis.js';
import { type ChaosPlan, runChaos } from './chaos.js';

const LIGHT: Omit<ChaosPlan, 'persistence'> = {
  inputs: 900,
  taskMs: 10,
  // Fewer in flight than inputs, so work still flows when the faults strike.
  concurrency: 150,
  killEveryMs: 2_000,
  redisDownMs: 2_000,
  blockMs: 5_000,
};

describe('distributed chaos (light): nothing lost, nothing hung', {
  skip: redisSkip,
  timeout: 300_000,
}, () => {
  it('Redis restarted with AOF: every result arrives exactly once, and right', async () => {
    const report = await runChaos({ ...LIGHT, persistence: 'aof' });
    const shown = JSON.stringify(report);
    assert.equal(report.settled, LIGHT.inputs, shown);
    assert.equal(report.ok, LIGHT.inputs, shown);
    assert.equal(report.duplicates, 0, shown);
    assert.ok(report.workersKilled >= 1, shown);
  });

  it('Redis restarted without persistence: every task settles, the lost ones with TaskLostError', async () => {
    const report = await runChaos({ ...LIGHT, persistence: 'none' });
    const shown = JSON.stringify(report);
    assert.equal(report.settled, LIGHT.inputs, shown);
    assert.equal(report.duplicates, 0, shown);
    assert.equal(report.wrong, 0, shown);
    assert.deepEqual(Object.keys(report.failed), ['TaskLostError'], shown);
    assert.equal(report.ok + (report.failed.TaskLostError ?? 0), LIGHT.inputs, shown);
    assert.match(report.why.TaskLostError ?? '', /Redis restarted after it was added/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Experiment } from '../../src/bench/experiments.js';
import { type BenchProgress, measureJob, rotate, type Starter } from '../../src/bench/rounds.js';
import { NotAvailable } from '../../src/bench/session.js';
import { benchSettings } from '../../src/bench/settings.js';
import type { Contender } from '../../src/bench/types.js';

/** Just enough of a job for the rounds: every output is right. */
const exp = {
  job: 'cpu',
  unmeasured: [],
  verify: (outputs: readonly unknown[]) => outputs.every((o) => o === 'right'),
} as unknown as Experiment;

/** Sessions that log what is done to them; `behaviour` may make one fail or answer wrong. */
function fakes(behaviour: Partial<Record<Contender, 'unavailable' | 'fails' | 'wrong'>> = {}) {
  const log: string[] = [];
  const start: Starter = async (_exp, mode) => {
    if (behaviour[mode] === 'unavailable') throw new NotAvailable(`not available: no ${mode}`);
    log.push(`start ${mode}`);
    return {
      startupMs: 7,
      warm: async () => {
        log.push(`warm ${mode}`);
      },
      run: async () => {
        log.push(`run ${mode}`);
        if (behaviour[mode] === 'fails') throw new Error(`${mode} broke\nstack`);
        return [behaviour[mode] === 'wrong' ? 'wrong' : 'right'];
      },
      decision: () => undefined,
      close: async () => {
        log.push(`close ${mode}`);
      },
    };
  };
  return { log, start };
}

const threeRuns = benchSettings({ repeat: { kind: 'fixed', runs: 3 } });

describe('rounds: how the contenders of a job take turns', () => {
  it('rotates a list from a position, wrapping around', () => {
    assert.deepEqual(rotate(['a', 'b', 'c'], 0), ['a', 'b', 'c']);
    assert.deepEqual(rotate(['a', 'b', 'c'], 1), ['b', 'c', 'a']);
    assert.deepEqual(rotate(['a', 'b', 'c'], 5), ['c', 'a', 'b']);
  });

  it('starts every contender first, one at a time, then runs one each per round in rotating order, each run after a warm-up', async () => {
    const { log, start } = fakes();
    const results = await measureJob(exp, ['sync', 'loop', 'threads'], threeRuns, () => {}, start);
    const runs = log.filter((l) => l.startsWith('run ')).map((l) => l.slice(4));
    assert.deepEqual(log.slice(0, 3), ['start sync', 'start loop', 'start threads']);
    assert.deepEqual(runs, [
      ...['sync', 'loop', 'threads'],
      ...['loop', 'threads', 'sync'],
      ...['threads', 'sync', 'loop'],
    ]);
    log.forEach((line, i) => {
      if (line.startsWith('run ')) assert.equal(log[i - 1], `warm ${line.slice(4)}`);
    });
    assert.deepEqual(
      results.map((r) => [r.mode, r.runs.length, r.startupMs, r.verified]),
      [
        ['sync', 3, 7, true],
        ['loop', 3, 7, true],
        ['threads', 3, 7, true],
      ],
    );
    assert.equal(log.filter((l) => l.startsWith('close ')).length, 3);
  });

  it('a contender that cannot start or whose run fails gets a reason; the others go on', async () => {
    const { log, start } = fakes({ loop: 'unavailable', threads: 'fails' });
    const events: BenchProgress[] = [];
    const results = await measureJob(
      exp,
      ['sync', 'loop', 'threads'],
      threeRuns,
      (p) => events.push(p),
      start,
    );
    const [sync, loop, threads] = results;
    assert.equal(sync!.runs.length, 3);
    assert.equal(loop!.reason, 'not available: no loop');
    assert.equal(threads!.reason, 'failed: threads broke');
    assert.equal(threads!.wallMs, null);
    assert.equal(log.filter((l) => l === 'run threads').length, 1, 'not run again after failing');
    assert.ok(log.includes('close threads'));
    assert.deepEqual(
      events.filter((e) => e.step === 'done').map((e) => e.mode),
      ['loop', 'threads', 'sync'],
      'each is reported done when it is',
    );
  });

  it('a wrong answer in any run marks the contender unverified', async () => {
    const { start } = fakes({ loop: 'wrong' });
    const [, loop] = await measureJob(exp, ['sync', 'loop'], threeRuns, () => {}, start);
    assert.equal(loop!.verified, false);
    assert.equal(loop!.runs.length, 3, 'its times are kept, to be shown as wrong');
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runRace } from '../../src/bench/race.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

describe('the x = x + 1 race on shared memory', { timeout: 240_000 }, () => {
  it('Atomics.add is always exact; the plain increment never exceeds the expected total', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 300_000 }),
        async (threads, increments) => {
          const r = await runRace({ threads, increments });
          assert.equal(r.expected, threads * increments);
          assert.deepEqual(r.atomic, { actual: r.expected, lost: 0 });
          assert.ok(r.plain.actual > 0 && r.plain.actual <= r.expected, `plain ${r.plain.actual}`);
          assert.equal(r.plain.lost, r.expected - r.plain.actual);
        },
      ),
      { numRuns: 4 },
    );
  });

  it('refuses a total the Int32 counter cannot hold', async () => {
    await assert.rejects(runRace({ threads: 4, increments: 2 ** 30 }), {
      name: 'RangeError',
      message: /at most 2147483647/,
    });
  });

  it('switchyard demo race --json prints the result as one JSON line', () => {
    const out = spawnSync(
      process.execPath,
      ['--import', 'tsx', MAIN, 'demo', 'race', '--threads', '2', '--increments', '5000', '--json'],
      { encoding: 'utf8' },
    );
    assert.equal(out.status, 0, out.stderr);
    const r = JSON.parse(out.stdout) as Awaited<ReturnType<typeof runRace>>;
    assert.equal(r.threads, 2);
    assert.equal(r.expected, 10_000);
    assert.equal(r.atomic.actual, 10_000);
    assert.ok(r.plain.actual <= 10_000);
  });

  it('switchyard demo race exits non-zero with a one-line reason on bad input', () => {
    for (const args of [
      ['--threads', '1'],
      ['--increments', '0'],
      ['--threads', '4', '--increments', '1000000000'],
    ]) {
      const out = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'demo', 'race', ...args], {
        encoding: 'utf8',
      });
      assert.notEqual(out.status, 0, args.join(' '));
      assert.equal(out.stdout, '');
      assert.match(out.stderr.split('\n')[0]!, /--threads|--increments/);
    }
  });
});

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, files, runCli } from './spawn.js';

const WORKLOADS = join(FIXTURES, 'workloads.mjs');
const SLOW = { timeout: 120_000 };

function inputFile(t: { after: (fn: () => void) => void }, content: string): string {
  const { input } = files(t);
  writeFileSync(input, content);
  return input;
}

const lines = (count: number) =>
  Array.from({ length: count }, (_, n) => `${JSON.stringify({ n })}\n`).join('');

describe('switchyard profile', () => {
  it(
    'prints the classification, the reason, the numbers and the recommended options',
    SLOW,
    async (t) => {
      const input = inputFile(t, lines(20));
      const run = await runCli(['profile', `${WORKLOADS}#io`, '-i', input]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^workload: io-bound$/m);
      assert.match(
        run.stdout,
        /^recommended: createExecutor\(\{"mode":"loop","concurrency":\d+\}\)/m,
      );
      assert.match(run.stdout, /^why: .+\.$/m);
      assert.match(run.stdout, /wall time per task \(median\)\s+\d/);
    },
  );

  it('reports JSON with --json and samples at most --sample inputs', SLOW, async (t) => {
    const input = inputFile(t, lines(50));
    const run = await runCli([
      'profile',
      `${WORKLOADS}#cpu`,
      '-i',
      input,
      '--sample',
      '6',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.decision.workload, 'cpu-bound');
    assert.ok(report.sampled <= 6);
    assert.equal(report.failed, 0);
  });

  it('names the line of a malformed input, and rejects a bad --sample', SLOW, async (t) => {
    const input = inputFile(t, '{"n":1}\n{"n":\n');
    const malformed = await runCli(['profile', `${WORKLOADS}#io`, '-i', input]);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /input line 2 is not valid JSON/);
    const bad = await runCli(['profile', `${WORKLOADS}#io`, '-i', input, '--sample', '1']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--sample.*must be an integer >= 2/);
  });
});

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, files, runCli } from './spawn.js';

const WORKLOADS = join(FIXTURES, 'workloads.mjs');
const TASKS = join(FIXTURES, 'run-tasks.ts');
const SLOW = { timeout: 120_000 };

function inputFile(t: { after: (fn: () => void) => void }, content: string): string {
  const { input } = files(t);
  writeFileSync(input, content);
  return input;
}

const lines = (count: number, first = 0) =>
  Array.from({ length: count }, (_, n) => `${JSON.stringify({ n: first + n })}\n`).join('');

describe('switchyard profile', () => {
  it(
    'prints the kind of work, the recommended options, the reason, the numbers and how auto got there',
    SLOW,
    async (t) => {
      const input = inputFile(t, lines(2_000));
      const run = await runCli(['profile', `${WORKLOADS}#io`, '-i', input]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^workload: io-bound$/m);
      assert.match(
        run.stdout,
        /^recommended: createExecutor\(\{"mode":"loop","concurrency":\d+\}\) — switchyard run --mode loop --concurrency \d+$/m,
      );
      assert.match(run.stdout, /^why: .+\.$/m);
      assert.match(run.stdout, /^ran 1,000 inputs \(0 failed\) in [\d.]+ s; last measured:$/m);
      assert.match(run.stdout, /throughput\s+[\d,]+ tasks\/s/);
      // The trace: each move with the level it left, the throughput there and why.
      const trace = run.stdout.slice(run.stdout.indexOf('how auto got there:'));
      assert.match(trace, /^ {2}[\d.]+ s +loop, 64 at a time +[\d,]+\/s {2}\S.*\.$/m);
      assert.match(trace, /^ {2}now +loop, [\d,]+ at a time/m);
    },
  );

  it('reports JSON with --json and runs at most --sample inputs', SLOW, async (t) => {
    const input = inputFile(t, lines(500));
    const run = await runCli([
      'profile',
      `${WORKLOADS}#cpu`,
      '-i',
      input,
      '--sample',
      '60',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.sampled, 60);
    assert.equal(report.failed, 0);
    assert.equal(report.decision.workload, 'cpu-bound');
    assert.ok(Array.isArray(report.decision.history));
  });

  it('recommends nothing when every input run failed, and says what failed', SLOW, async (t) => {
    // failOdd throws for every odd n.
    const odd = Array.from({ length: 50 }, (_, n) => `${JSON.stringify({ n: 2 * n + 1 })}\n`);
    const input = inputFile(t, odd.join(''));
    const run = await runCli(['profile', `${TASKS}#failOdd`, '-i', input]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^no recommendation: ran 50 inputs \(50 failed\)/m);
    assert.doesNotMatch(run.stdout, /recommended:/);
    assert.match(
      run.stderr,
      /every one of the 50 inputs run failed \(the first with TaskError: .*odd input 1\); fix that before choosing a mode/,
    );
    const json = await runCli(['profile', `${TASKS}#failOdd`, '-i', input, '--json']);
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout).decision, undefined);
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

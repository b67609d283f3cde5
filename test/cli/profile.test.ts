/**
 * `switchyard profile` running a sample of the inputs under `--mode auto` and recommending the
 * best level it measured, as a library call and as `run` flags, or as JSON; recommending
 * nothing, with exit 1 and what to raise, when the sample ends too soon or every input fails;
 * its refusals and its `--help`; and how its report reads when auto was still trying a level
 * or ran several tasks per worker.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatReport } from '../../src/cli/commands/profile.js';
import type { Decision } from '../../src/core/types.js';
import type { ProfileReport } from '../../src/run/profile.js';
import { SLOW, TASKS } from './run-files.js';
import { FIXTURES, files, runCli } from './spawn.js';

const WORKLOADS = join(FIXTURES, 'workloads.mjs');

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
      // The level, then the same level as a library call and as run's flags.
      const level = /^recommended: loop, ([\d,]+) at a time, measured at [\d,]+ tasks\/s/m.exec(
        run.stdout,
      );
      assert.ok(level, run.stdout);
      const n = level[1]!.replaceAll(',', '');
      assert.match(
        run.stdout,
        new RegExp(
          `^ {2}library: createExecutor\\(\\{ mode: 'loop', concurrency: ${n} \\}\\)$`,
          'm',
        ),
      );
      assert.match(
        run.stdout,
        new RegExp(
          `^ {2}command: switchyard run \\S+#io --input \\S+ --output OUTPUT\\.jsonl --mode loop --concurrency ${n}$`,
          'm',
        ),
      );
      // auto may still have been trying another level when the sample ended; then it says so.
      assert.match(run.stdout, /^(why|auto's last move): .+\.$/m);
      assert.match(run.stdout, /^ran 1,000 inputs \(0 failed\) in [\d.]+ s; last measured:$/m);
      assert.match(run.stdout, /throughput\s+[\d,]+ tasks\/s/);
      // The trace: each move with the level it left, the throughput there (a dash where
      // none had finished yet: the level rose before any did) and why.
      const trace = run.stdout.slice(run.stdout.indexOf('how auto got there:'));
      assert.match(trace, /^ {2}[\d.]+ s +loop, 64 at a time +([\d,]+|—)\/s {2}\S.*\.$/m);
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
    assert.equal(report.endedBy, 'sample');
    assert.ok(report.recommended.throughput > 0, run.stdout);
  });

  it(
    'recommends nothing when the sample ends before auto measured a level, and names the flags that would let it',
    SLOW,
    async (t) => {
      // 20 tasks that wait 20 ms all finish in one go, too few and too soon for a window.
      const input = inputFile(t, lines(100));
      const run = await runCli(['profile', `${WORKLOADS}#io`, '-i', input, '--sample', '20']);
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        run.stdout,
        /^no recommendation yet: ran 20 inputs \(0 failed\) in [\d.]+ s, and the sample ended before auto measured anything \(it was still at its first level, loop, 64 at a time\)$/m,
      );
      assert.doesNotMatch(run.stdout, /recommended:/);
      assert.match(
        run.stderr,
        /no recommendation yet: the sample ended at 20 inputs, before auto measured a level; raise --sample \(now 20\), and --seconds \(now 10\)/,
      );
      const json = await runCli([
        'profile',
        `${WORKLOADS}#io`,
        '-i',
        input,
        '--sample',
        '20',
        '--json',
      ]);
      assert.equal(json.code, 1);
      const report = JSON.parse(json.stdout);
      assert.equal(report.recommended, undefined);
      assert.deepEqual(report.trying, { mode: 'loop', concurrency: 64 });
    },
  );

  it('says in its help what the report shows and what each exit code means', async () => {
    const help = await runCli(['profile', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /as a library call and as switchyard run flags/);
    assert.match(
      help.stdout,
      /^Exit codes:\n {2}0 {2}a level is recommended\n {2}1 {2}no recommendation: /m,
    );
    assert.match(help.stdout, /ended before auto measured a level \(raise --sample or --seconds\)/);
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

describe("profile's report", () => {
  const run = { module: 'jobs.js#task', input: 'in put.jsonl', sample: 1_000, seconds: 10 };
  const decision = (now: Partial<Decision>): Decision => ({
    mode: 'loop',
    concurrency: 64,
    reason: 'Why auto is here.',
    measured: { cpus: 2, throughput: 1_000 },
    history: [
      { atMs: 60, mode: 'loop', concurrency: 64, throughput: 1_292, reason: 'Why it left.' },
    ],
    workload: 'io-bound',
    ...now,
  });
  const report = (over: Partial<ProfileReport>): ProfileReport => ({
    decision: decision({}),
    recommended: undefined,
    trying: undefined,
    sampled: 1_000,
    failed: 0,
    endedBy: 'sample',
    wallMs: 200,
    ...over,
  });

  it('recommends a measured level, not the one auto was still trying, and says which that was', () => {
    const text = formatReport(
      report({
        decision: decision({
          concurrency: 300,
          reason: 'It could keep more in flight: trying 300.',
        }),
        recommended: { mode: 'loop', concurrency: 64, throughput: 1_292 },
        trying: { mode: 'loop', concurrency: 300 },
      }),
      run,
    );
    assert.match(
      text,
      /^recommended: loop, 64 at a time, measured at 1,292 tasks\/s, the best auto measured$/m,
    );
    assert.match(text, /^ {2}library: createExecutor\(\{ mode: 'loop', concurrency: 64 \}\)$/m);
    assert.match(
      text,
      /^ {2}command: switchyard run jobs\.js#task --input 'in put\.jsonl' --output OUTPUT\.jsonl --mode loop --concurrency 64$/m,
    );
    assert.match(
      text,
      /^not settled: auto was trying loop, 300 at a time when the sample ended, not measured yet; a larger --sample \(now 1,000\) or --seconds \(now 10\) lets it finish$/m,
    );
    assert.match(text, /^auto's last move: It could keep more in flight: trying 300\.$/m);
    assert.match(text, /^ {2}now +loop, 300 at a time$/m);
  });

  it('gives tasks per worker in the library call, and says run has no flag for them', () => {
    const threads = { mode: 'threads', concurrency: 6, workers: 2, tasksPerWorker: 3 } as const;
    const text = formatReport(
      report({
        decision: decision({ ...threads, throughput: 477 }),
        recommended: { ...threads, throughput: 477 },
      }),
      run,
    );
    assert.match(
      text,
      /^recommended: threads, 3 per worker on 2 threads, measured at 477 tasks\/s$/m,
    );
    assert.match(
      text,
      /^ {2}library: createExecutor\(\{ mode: 'threads', workers: 2, tasksPerWorker: 3 \}\)$/m,
    );
    assert.match(text, /^ {2}command: switchyard run .* --mode threads --workers 2$/m);
    assert.match(
      text,
      /^ +run has no flag for 3 tasks per worker: with these flags each worker runs 1 at a time; for 3, use the library call, or run's default --mode auto, which finds the level itself$/m,
    );
    assert.match(text, /^why: Why auto is here\.$/m);
    assert.doesNotMatch(text, /not settled/);
    // One task per worker is what run's threads do: nothing to add.
    const one = { mode: 'threads', concurrency: 2, workers: 2, tasksPerWorker: 1 } as const;
    const cpu = formatReport(
      report({
        decision: decision({ ...one, throughput: 244 }),
        recommended: { ...one, throughput: 244 },
      }),
      run,
    );
    assert.match(cpu, /^ {2}library: createExecutor\(\{ mode: 'threads', workers: 2 \}\)$/m);
    assert.doesNotMatch(cpu, /no flag/);
  });
});

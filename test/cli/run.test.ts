/**
 * `switchyard run` doing its job: one result line per input and a JSON summary, inputs
 * read from a file or stdin, under `--mode auto` (the default) too, which reports where it
 * settled and why; and what `--help` says of all that.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertEachIndexOnce, readResults, runArgs, SLOW, writeInputs } from './run-files.js';
import { FIXTURES, files, runCli } from './spawn.js';

describe('switchyard run', () => {
  it(
    'writes one result line per input, {index, ok, value}, and reports a JSON summary',
    SLOW,
    async (t) => {
      const { input, output } = files(t);
      writeInputs(
        input,
        Array.from({ length: 50 }, (_, n) => ({ n })),
      );

      const run = await runCli(runArgs('double', input, output, ['--mode', 'loop', '--json']));

      assert.equal(run.code, 0, run.stderr);
      const results = readResults(output);
      assertEachIndexOnce(results, 50);
      for (const r of results)
        assert.deepEqual(r, { index: r.index, ok: true, value: r.index * 2 });
      const summary = JSON.parse(run.stdout);
      assert.equal(summary.ok, 50);
      assert.equal(summary.failed, 0);
      assert.equal(summary.complete, true);
      assert.equal(summary.mode, 'loop');
    },
  );

  it('reads its input from stdin with --input -', SLOW, async (t) => {
    const { output } = files(t);
    const lines = Array.from({ length: 30 }, (_, n) => JSON.stringify({ n })).join('\n');

    const run = await runCli(runArgs('double', '-', output, ['--mode', 'loop', '--json']), lines);

    assert.equal(run.code, 0, run.stderr);
    const results = readResults(output);
    assertEachIndexOnce(results, 30);
    for (const r of results) assert.equal(r.value, r.index * 2);
  });
});

describe('switchyard run --help', () => {
  it('says what a result line looks like, that a re-run resumes, what Ctrl-C does, the exit codes, and gives an example', async () => {
    const { code, stdout } = await runCli(['run', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: switchyard run \[options\] <module>$/m);
    assert.match(stdout, /\{"index":0,"ok":true,"value":42\}/);
    assert.match(stdout, /\{"index":1,"ok":false,"error":\{"name":"TaskError","message":"…"\}\}/);
    assert.match(stdout, /Re-running the same command resumes/);
    assert.match(stdout, /Ctrl-C once: .*finish/);
    assert.match(stdout, /Ctrl-C again: cancel/);
    assert.match(stdout, /Exit codes: 0 .*; 1 .*\n.*130 stopped by Ctrl-C; 143 stopped by SIGTERM/);
    assert.match(stdout, /--workers <n> +pool size for threads\/processes, at most 1024/);
    assert.match(stdout, /\n {2}switchyard run \S+ --input \S+ --output \S+\n/);
  });
});

describe('switchyard run --mode auto (the default)', () => {
  it(
    'runs the inputs under auto and reports where it settled, why, and the moves before',
    SLOW,
    async (t) => {
      const { input, output } = files(t);
      writeInputs(
        input,
        Array.from({ length: 300 }, (_, n) => ({ n })),
      );

      const run = await runCli([
        'run',
        `${join(FIXTURES, 'workloads.mjs')}#io`,
        '-i',
        input,
        '-o',
        output,
        '--json',
      ]);

      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout);
      assert.equal(summary.mode, 'auto');
      assert.equal(summary.decision.mode, 'loop', JSON.stringify(summary.decision, null, 1));
      assert.match(summary.decision.reason, /\.$/);
      assert.ok(Array.isArray(summary.decision.history));
      const results = readResults(output);
      assertEachIndexOnce(results, 300);
      for (const r of results) assert.equal(r.value, r.index);
    },
  );

  it(
    'with --timeout, stops an input that computes forever, records it as timed out, and writes every other result',
    SLOW,
    async (t) => {
      const { input, output } = files(t);
      const count = 2_000;
      const runaway = 3;
      writeInputs(
        input,
        Array.from({ length: count }, (_, n) => (n === runaway ? { n, forever: true } : { n })),
      );

      const run = await runCli(
        runArgs('spinIf', input, output, ['--timeout', '500', '--on-error', 'continue', '--json']),
      );

      assert.equal(run.code, 0, run.stderr);
      const results = readResults(output);
      assertEachIndexOnce(results, count);
      const failed = results.filter((r) => !r.ok);
      assert.deepEqual(
        failed.map((r) => [r.index, r.error?.name]),
        [[runaway, 'TimeoutError']],
      );
      for (const r of results) if (r.ok) assert.equal(r.value, r.index * 2);
      const summary = JSON.parse(run.stdout);
      assert.equal(summary.decision.mode, 'threads');
      assert.match(summary.decision.history[0].reason, /timeout/);
    },
  );
});

/**
 * `switchyard run` when inputs or tasks fail: a malformed input line, a task that throws,
 * times out, returns what has no JSON form, never finishes or ends the process — stopped
 * at by default, so a re-run retries it, or recorded as a failed result with
 * `--on-error continue`.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertEachIndexOnce, readResults, runArgs, SLOW, writeInputs } from './run-files.js';
import { FIXTURES, files, runCli } from './spawn.js';

describe('switchyard run', () => {
  it(
    'with --timeout in threads mode, only inputs that run past it are recorded as timed out',
    SLOW,
    async (t) => {
      const { input, output } = files(t);
      // ms each input computes: every twentieth runs past the timeout, the rest are instant.
      const inputs = Array.from({ length: 200 }, (_, i) => (i % 20 === 10 ? 800 : 0));
      writeInputs(input, inputs);
      const busy = `${join(FIXTURES, '..', 'runners', 'pool', 'fixtures', 'tasks.mjs')}#busy`;

      const run = await runCli([
        'run',
        busy,
        '-i',
        input,
        '-o',
        output,
        '--mode',
        'threads',
        '--workers',
        '2',
        '--timeout',
        '500',
        '--on-error',
        'continue',
        '--json',
      ]);

      assert.equal(run.code, 0, run.stderr);
      const results = readResults(output);
      assertEachIndexOnce(results, inputs.length);
      for (const r of results) {
        if (inputs[r.index] === 0) assert.deepEqual(r, { index: r.index, ok: true, value: 0 });
        else assert.equal(r.error?.name, 'TimeoutError', `input ${r.index}`);
      }
    },
  );

  it(
    'stops at a malformed input line, naming its line number and the parse problem',
    SLOW,
    async (t) => {
      const { input, output } = files(t);
      writeFileSync(input, '{"n":0}\n\n{"n":1}\n{"n": oops}\n{"n":3}\n');

      const run = await runCli(runArgs('double', input, output, ['--mode', 'loop', '--json']));

      assert.equal(run.code, 1);
      assert.match(run.stderr, /input line 4 is not valid JSON \(.*\)/);
      const summary = JSON.parse(run.stdout);
      assert.equal(summary.stoppedBy, 'error');
      assert.ok(
        !readResults(output).some((r) => r.index === 2),
        'the malformed input is not recorded',
      );
    },
  );

  it(
    'records a malformed input line as a failed result with --on-error continue',
    SLOW,
    async (t) => {
      const { input, output } = files(t);
      writeFileSync(input, '{"n":0}\n{"n": oops}\n{"n":2}\n');

      const run = await runCli(
        runArgs('double', input, output, ['--mode', 'loop', '--on-error', 'continue', '--json']),
      );

      assert.equal(run.code, 0, run.stderr);
      const results = readResults(output).sort((a, b) => a.index - b.index);
      assertEachIndexOnce(results, 3);
      assert.equal(results[1]!.ok, false);
      assert.equal(results[1]!.error!.name, 'InputLineError');
      assert.match(results[1]!.error!.message, /line 2/);
      assert.deepEqual([results[0]!.value, results[2]!.value], [0, 4]);
    },
  );

  it(
    'records task failures and outputs without a JSON form as failed results with --on-error continue',
    SLOW,
    async (t) => {
      const { dir, input } = files(t);
      writeInputs(input, [{ n: 0 }, { n: 1 }, { n: 2 }]);

      const thrown = join(dir, 'thrown.jsonl');
      const run = await runCli(
        runArgs('failOdd', input, thrown, ['--mode', 'sync', '--on-error', 'continue']),
      );
      assert.equal(run.code, 0, run.stderr);
      const failure = readResults(thrown).find((r) => r.index === 1)!;
      assert.equal(failure.ok, false);
      assert.equal(failure.error!.name, 'TaskError');
      assert.match(failure.error!.message, /odd input 1/);

      const bigints = join(dir, 'big.jsonl');
      const big = await runCli(
        runArgs('big', input, bigints, ['--mode', 'sync', '--on-error', 'continue']),
      );
      assert.equal(big.code, 0, big.stderr);
      for (const r of readResults(bigints)) assert.equal(r.error?.name, 'ResultNotJsonError');

      // No JSON text at all (a function): the line must still parse, and a re-run resume.
      const callbacks = join(dir, 'callback.jsonl');
      const args = runArgs('callback', input, callbacks, [
        '--mode',
        'sync',
        '--on-error',
        'continue',
      ]);
      const first = await runCli(args);
      assert.equal(first.code, 0, first.stderr);
      for (const r of readResults(callbacks)) {
        assert.equal(r.error?.name, 'ResultNotJsonError');
        assert.match(r.error.message, /a function has no JSON form/);
      }
      const again = await runCli(args);
      assert.equal(again.code, 0, again.stderr);
    },
  );

  it('says so when tasks never finish and nothing is left to wake them', SLOW, async (t) => {
    const { input, output } = files(t);
    writeInputs(input, [{ n: 0 }]);
    const run = await runCli(runArgs('hang', input, output, ['--mode', 'loop']));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /tasks that never finished.*pass --timeout/);
  });

  it(
    'stops at the first task failure without recording it by default, so a re-run retries it',
    SLOW,
    async (t) => {
      const { input, output } = files(t);
      writeInputs(input, [{ n: 0 }, { n: 1 }, { n: 2 }]);

      const run = await runCli(runArgs('failOdd', input, output, ['--mode', 'sync']));

      assert.equal(run.code, 1);
      assert.match(run.stderr, /input line 2 \(index 1\) failed: .*odd input 1/);
      assert.deepEqual(
        readResults(output).map((r) => r.index),
        [0],
      );
    },
  );
});

describe('switchyard run, when a task ends the process', () => {
  for (const mode of ['loop', 'auto']) {
    it(
      `--mode ${mode}: says so on stderr, keeps the task's exit code, and a re-run resumes`,
      SLOW,
      async (t) => {
        const { input, output } = files(t);
        writeInputs(
          input,
          Array.from({ length: 40 }, (_, n) => ({ n, exitAt: 30, code: 3 })),
        );

        const run = await runCli(runArgs('exitAt', input, output, ['--mode', mode]));

        assert.equal(run.code, 3);
        const lines = run.stderr.trim().split('\n');
        assert.equal(lines.length, 1, run.stderr);
        assert.equal(
          lines[0],
          'switchyard: the process exited with code 3 before the run finished, probably because a task called process.exit(); the results written so far are kept, and re-running the same command resumes; --mode threads or --mode processes keeps such a task from ending the run',
        );
        const again = await runCli(runArgs('double', input, output, ['--mode', 'loop', '--json']));
        assert.equal(again.code, 0, again.stderr);
        assertEachIndexOnce(readResults(output), 40);
      },
    );
  }

  it('an exit with code 0 before the run finished exits 1', SLOW, async (t) => {
    const { input, output } = files(t);
    writeInputs(input, [{ n: 0, exitAt: 0, code: 0 }]);
    const run = await runCli(runArgs('exitAt', input, output, ['--mode', 'loop']));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^switchyard: the process exited with code 0 before the run finished/);
  });
});

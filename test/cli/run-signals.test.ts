/**
 * `switchyard run` stopped by a signal: the first SIGINT stops reading and lets the tasks
 * that started finish and be written (exit 130), heard even while tasks compute on the
 * event loop; SIGTERM exits 143, and a second signal cancels what is running.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readResults, runArgs, SLOW, writeInputs } from './run-files.js';
import { files, startCli } from './spawn.js';

describe('switchyard run', () => {
  it(
    'on SIGINT stops reading, lets every started task finish and be written, and exits 130',
    SLOW,
    async (t) => {
      const { input, output, log } = files(t);
      writeInputs(
        input,
        Array.from({ length: 200 }, (_, n) => ({ n, ms: 400, log })),
      );

      const running = startCli(
        runArgs('logStart', input, output, ['--mode', 'loop', '--concurrency', '4', '--json']),
      );
      await waitFor(() => size(output) > 0);
      running.child.kill('SIGINT');
      const run = await running.finished;

      assert.equal(run.code, 130, run.stderr);
      const started = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map(Number)
        .sort((a, b) => a - b);
      const written = readResults(output)
        .map((r) => r.index)
        .sort((a, b) => a - b);
      assert.deepEqual(
        written,
        started,
        'every started input has its result, and nothing else ran',
      );
      assert.ok(written.length < 200);
      const summary = JSON.parse(run.stdout);
      assert.equal(summary.stoppedBy, 'SIGINT');
      assert.equal(summary.cancelled, false);
      assert.equal(summary.complete, false);
    },
  );

  it(
    'writes results and hears SIGINT while tasks compute without awaiting on the event loop',
    SLOW,
    async (t) => {
      const { input, output } = files(t);
      const inputs = 2_000;
      writeInputs(
        input,
        Array.from({ length: inputs }, (_, n) => ({ n, ms: 5 })),
      );
      const running = startCli(runArgs('compute', input, output, ['--mode', 'loop']));
      let exited = false;
      void running.finished.then(() => {
        exited = true;
      });
      await waitFor(() => exited || size(output) > 0);
      assert.equal(exited, false, 'results were written while the run went on');
      running.child.kill('SIGINT');
      const run = await running.finished;
      assert.equal(run.code, 130, run.stderr);
      assert.ok(readResults(output).length < inputs, 'it stopped before the end');
    },
  );

  it(
    'the first SIGINT says what it is finishing, and only about one task per slot runs after it',
    SLOW,
    async (t) => {
      const { input, output, log } = files(t);
      writeInputs(
        input,
        Array.from({ length: 2_000 }, (_, n) => ({ n, ms: 100, log })),
      );
      const running = startCli(
        runArgs('logStart', input, output, ['--mode', 'threads', '--workers', '2', '--json']),
      );
      await waitFor(() => size(output) > 0);
      const writtenBefore = readResults(output).length;
      running.child.kill('SIGINT');
      const run = await running.finished;

      assert.equal(run.code, 130, run.stderr);
      assert.match(run.stderr, /finishing \d+ running tasks? .*press Ctrl-C again to cancel/);
      const started = readFileSync(log, 'utf8').trim().split('\n').length;
      const written = readResults(output).length;
      assert.equal(written, started, 'every started input has its result');
      // Two workers: what was in flight at the signal (twice the concurrency), plus what
      // finished but was not yet flushed to the file when it was read.
      assert.ok(
        started <= writtenBefore + 16,
        `${started - writtenBefore} inputs ran after the signal`,
      );
    },
  );

  it('on SIGTERM exits 143; a second signal cancels the running tasks', SLOW, async (t) => {
    const { input, output, log } = files(t);
    writeInputs(
      input,
      Array.from({ length: 20 }, (_, n) => ({ n, ms: 60_000, log })),
    );

    const running = startCli(
      runArgs('logStart', input, output, ['--mode', 'loop', '--concurrency', '4', '--json']),
    );
    await waitFor(() => size(log) > 0);
    running.child.kill('SIGTERM');
    await sleep(200);
    running.child.kill('SIGTERM');
    const run = await running.finished;

    assert.equal(run.code, 143, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.cancelled, true);
    assert.equal(summary.ok, 0);
    assert.deepEqual(
      readResults(output),
      [],
      'cancelled inputs are not recorded, so a re-run does them',
    );
  });
});

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(20);
}

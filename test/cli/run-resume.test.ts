/**
 * `switchyard run` resuming from the output it wrote before: killed with SIGKILL and run
 * again it does every input exactly once, it drops a half-written last line, refuses a file
 * it did not write, and reads indices past 2^32 — or that no input can have — for what they are.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertEachIndexOnce, readResults, runArgs, SLOW, writeInputs } from './run-files.js';
import { files, runCli, startCli } from './spawn.js';

describe('switchyard run', () => {
  it(
    'does every input exactly once when killed with SIGKILL at random moments and re-run',
    SLOW,
    async (t) => {
      const count = 600;
      for (let round = 0; round < 5; round++) {
        const { input, output } = files(t);
        writeInputs(
          input,
          Array.from({ length: count }, (_, n) => ({ n, ms: 3 })),
        );
        // Every other round in worker threads: the guarantee is the runner's, whatever the mode.
        const mode = round % 2 === 0 ? 'loop' : 'threads';
        const args = runArgs('double', input, output, [
          '--mode',
          mode,
          '--concurrency',
          '16',
          '--json',
        ]);

        const kills: number[] = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          const delay = Math.round(Math.random() * 1_500);
          kills.push(delay);
          const running = startCli(args);
          await sleep(delay);
          running.child.kill('SIGKILL');
          await running.finished;
        }
        const last = await runCli(args);
        t.diagnostic(`round ${round} (${mode}): SIGKILL after ${kills.join(', ')} ms`);

        assert.equal(last.code, 0, last.stderr);
        const results = readResults(output);
        assertEachIndexOnce(results, count);
        for (const r of results) assert.equal(r.value, r.index * 2);
        assert.equal(JSON.parse(last.stdout).complete, true);
      }
    },
  );

  it('drops a half-written last output line and runs that input again', SLOW, async (t) => {
    const { input, output } = files(t);
    writeInputs(
      input,
      Array.from({ length: 10 }, (_, n) => ({ n })),
    );
    const torn = '{"index":7,"ok":tr';
    writeFileSync(
      output,
      `{"index":3,"ok":true,"value":6}\n{"index":5,"ok":true,"value":10}\n${torn}`,
    );

    const run = await runCli(runArgs('double', input, output, ['--mode', 'loop', '--json']));

    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.droppedBytes, torn.length);
    assert.equal(summary.resumed, 2);
    assert.equal(summary.ok, 8);
    const results = readResults(output);
    assertEachIndexOnce(results, 10);
    assert.deepEqual(
      results.slice(0, 2).map((r) => r.index),
      [3, 5],
      'earlier lines are kept as they were',
    );
  });

  it(
    'refuses an output file that was not written by switchyard run, naming the line',
    SLOW,
    async (t) => {
      const { input, output } = files(t);
      writeInputs(input, [{ n: 1 }]);
      writeFileSync(output, '{"index":0,"ok":true,"value":2}\nhello\n');

      const run = await runCli(runArgs('double', input, output, ['--mode', 'loop']));

      assert.equal(run.code, 1);
      assert.match(run.stderr, /line 2 is not a switchyard result/);
    },
  );
});

describe('switchyard run, resuming an output with a large index', () => {
  it('does input 0 even when the output already holds index 2^32', SLOW, async (t) => {
    const { input, output } = files(t);
    writeInputs(input, [{ n: 0 }, { n: 1 }]);
    writeFileSync(output, `{"index":${2 ** 32},"ok":true,"value":0}\n`);

    const run = await runCli(runArgs('double', input, output, ['--mode', 'loop', '--json']));

    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.resumed, 0);
    assert.equal(summary.ok, 2);
    assert.deepEqual(
      readResults(output)
        .map((r) => r.index)
        .sort((a, b) => a - b),
      [0, 1, 2 ** 32],
    );
  });

  it(
    'refuses an index no input can have, naming the output, the line and the index',
    SLOW,
    async (t) => {
      const { input, output } = files(t);
      writeInputs(input, [{ n: 0 }]);
      writeFileSync(
        output,
        '{"index":0,"ok":true,"value":0}\n{"index":1e300,"ok":true,"value":0}\n',
      );

      const run = await runCli(runArgs('double', input, output, ['--mode', 'loop']));

      assert.equal(run.code, 1);
      assert.ok(
        run.stderr.startsWith(
          `switchyard: output ${output} line 2 has index 1e+300, which no input can have`,
        ),
        run.stderr,
      );
    },
  );
});

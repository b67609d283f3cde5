import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIXTURES, files, runCli, startCli } from './spawn.js';

const TASKS = join(FIXTURES, 'run-tasks.ts');
const SLOW = { timeout: 120_000 };

/** `switchyard run` arguments for the task `name` of the run fixtures. */
function runArgs(name: string, input: string, output: string, extra: string[]): string[] {
  return ['run', `${TASKS}#${name}`, '-i', input, '-o', output, ...extra];
}

function writeInputs(path: string, values: readonly unknown[]): void {
  writeFileSync(path, values.map((v) => `${JSON.stringify(v)}\n`).join(''));
}

interface ResultLine {
  index: number;
  ok: boolean;
  value?: unknown;
  error?: { name: string; message: string };
}

function readResults(path: string): ResultLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ResultLine);
}

/** Asserts that `results` holds each of 0..count-1 exactly once. */
function assertEachIndexOnce(results: readonly ResultLine[], count: number): void {
  const seen = new Map<number, number>();
  for (const r of results) seen.set(r.index, (seen.get(r.index) ?? 0) + 1);
  const repeated = [...seen].filter(([, n]) => n > 1).map(([i]) => i);
  assert.deepEqual(repeated, [], 'indices written more than once');
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  assert.deepEqual(missing, [], 'indices missing');
  assert.equal(results.length, count);
}

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

  it('reads its input from stdin with --input -', SLOW, async (t) => {
    const { output } = files(t);
    const lines = Array.from({ length: 30 }, (_, n) => JSON.stringify({ n })).join('\n');

    const run = await runCli(runArgs('double', '-', output, ['--mode', 'loop', '--json']), lines);

    assert.equal(run.code, 0, run.stderr);
    const results = readResults(output);
    assertEachIndexOnce(results, 30);
    for (const r of results) assert.equal(r.value, r.index * 2);
  });

  it('rejects bad invocations with a one-line reason and a non-zero exit', SLOW, async (t) => {
    const { dir, input, output } = files(t);
    writeInputs(input, [{ n: 1 }]);
    const linked = join(dir, 'linked.jsonl');
    symlinkSync(input, linked);
    const cases: [string[], RegExp][] = [
      [
        [`${TASKS}#double`, '-i', input, '-o', output, '--concurrency', '0'],
        /--concurrency.*must be an integer >= 1/,
      ],
      [
        [`${TASKS}#double`, '-i', input, '-o', output, '--mode', 'fast'],
        /--mode.*Allowed choices are sync, loop/,
      ],
      // It would need a Redis connection, which `run` does not take.
      [
        [`${TASKS}#double`, '-i', input, '-o', output, '--mode', 'distributed'],
        /--mode.*Allowed choices are sync, loop, threads, processes, auto\./,
      ],
      [[`${TASKS}#double`, '-o', output], /missing --input <file>; for example: switchyard run/],
      [[], /missing <module>, --input <file> and --output <file>; for example/],
      [['-i', input, '-o', output], /missing <module>; for example/],
      [
        [`${TASKS}#double`, '-i', input, '-o', output, '--workers', '100000'],
        /--workers <n>' argument '100000' is invalid\. must be an integer >= 1 and <= 1024: each worker is a thread or a process/,
      ],
      [
        [
          `${TASKS}#double`,
          '-i',
          input,
          '-o',
          output,
          '--mode',
          'processes',
          '--concurrency',
          '5000',
        ],
        /--concurrency 5000 is too many for --mode processes: it starts one worker per task in flight, at most 1024; lower it, or use --mode loop/,
      ],
      [
        [join(dir, 'nope.js'), '-i', input, '-o', output, '--mode', 'loop'],
        /nope\.js does not exist; check the path, or build the module first$/,
      ],
      // Said as typed, and where that led from the current directory (the CLI's, here ROOT).
      [
        ['./test/nope.mjs#double', '-i', input, '-o', output],
        /^switchyard: task module \.\/test\/nope\.mjs does not exist \(no file at \/\S+\/test\/nope\.mjs; a relative path starts from the current directory\); check the path, or build the module first$/,
      ],
      [[dir, '-i', input, '-o', output], /is a folder, not a file; name the module file in it/],
      [
        [`${TASKS}#absent`, '-i', input, '-o', output, '--mode', 'loop'],
        /no export named 'absent'/,
      ],
      [[`${TASKS}#`, '-i', input, '-o', output], /must be MODULE or MODULE#EXPORT/],
      [
        [`${TASKS}#double`, '-i', input, '-o', output, '--mode', 'loop', '--workers', '2'],
        /--workers does not apply to --mode loop; it is for --mode threads, processes, auto/,
      ],
      // Only the modes run takes: not distributed, which takes --retries.
      [
        [`${TASKS}#double`, '-i', input, '-o', output, '--mode', 'loop', '--retries', '2'],
        /--retries does not apply to --mode loop; it is for --mode threads, processes, auto$/,
      ],
      [
        [`${TASKS}#double`, '-i', input, '-o', join(dir, '.', basename(input))],
        /--input and --output name the same file .*; results go to a file of their own, such as .*\.out\.jsonl$/,
      ],
      [[`${TASKS}#double`, '-i', input, '-o', linked], /--input and --output name the same file/],
    ];
    for (const [args, reason] of cases) {
      const run = await runCli(['run', ...args]);
      assert.notEqual(run.code, 0, args.join(' '));
      assert.match(run.stderr.split('\n')[0]!, reason, run.stderr);
    }
  });
});

describe('switchyard run, given files it cannot use', () => {
  it(
    'names the flag and the path, says what is wrong and what to do, and exits 1',
    SLOW,
    async (t) => {
      const { dir, input, output } = files(t);
      writeInputs(input, [{ n: 1 }]);
      const noFolder = join(dir, 'no-such-folder', 'out.jsonl');
      const cases: [string[], string][] = [
        [
          ['-i', input, '-o', noFolder],
          `switchyard: --output ${noFolder}: the folder ${join(dir, 'no-such-folder')} does not exist; create it or choose another path`,
        ],
        [
          ['-i', input, '-o', dir],
          `switchyard: --output ${dir}: is a folder, not a file; name a file, such as ${join(dir, 'out.jsonl')}`,
        ],
        [
          ['-i', dir, '-o', output],
          `switchyard: --input ${dir}: is a folder, not a file; name the JSONL file to read`,
        ],
        [
          ['-i', join(dir, 'missing.jsonl'), '-o', output],
          `switchyard: --input ${join(dir, 'missing.jsonl')}: no such file; check the path (or pass - to read stdin)`,
        ],
      ];
      for (const [args, message] of cases) {
        const run = await runCli(['run', `${TASKS}#double`, ...args, '--mode', 'loop']);
        assert.equal(run.code, 1, args.join(' '));
        assert.equal(run.stderr, `${message}\n`);
      }
    },
  );

  it('an input it may not read', {
    ...SLOW,
    skip: process.getuid?.() === 0 && 'root may read any file',
  }, async (t) => {
    const { input, output } = files(t);
    writeInputs(input, [{ n: 1 }]);
    chmodSync(input, 0);
    const run = await runCli(runArgs('double', input, output, ['--mode', 'loop']));
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      `switchyard: --input ${input}: permission denied: you may not read it; make it readable or choose another file\n`,
    );
  });
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

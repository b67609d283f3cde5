/**
 * `switchyard run` refusing what it cannot use: bad arguments, each with a one-line reason
 * and a non-zero exit, and input or output files it cannot read or write, each named with
 * what is wrong and what to do.
 */
import assert from 'node:assert/strict';
import { chmodSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { runArgs, SLOW, TASKS, writeInputs } from './run-files.js';
import { files, runCli } from './spawn.js';

describe('switchyard run', () => {
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

/**
 * `switchyard run MODULE[#EXPORT] --input FILE.jsonl --output FILE.jsonl`: runs a task over
 * every input line, appending one result line per input; re-running resumes.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { MAX_WORKERS } from '../../core/defaults.js';
import { MODE_OPTIONS } from '../../core/options.js';
import { MODES, type Mode } from '../../core/types.js';
import { createProgress } from '../../run/progress.js';
import { type OnError, type RunSummary, runJsonl } from '../../run/run.js';
import { SIGNAL_EXIT_CODES } from '../../run/signals.js';
import { exitNow, explainEarlyExit } from '../exit.js';
import { integerAtLeast, workerCount } from '../options.js';

/** The modes `run` offers: `distributed` needs a Redis connection, which `run` does not take. */
const RUN_MODES = MODES.filter((mode) => mode !== 'distributed');

import { parseTaskSpec } from '../task-spec.js';

interface RunFlags {
  input: string;
  output: string;
  mode: Mode;
  concurrency?: number;
  workers?: number;
  timeout?: number;
  retries?: number;
  onError: OnError;
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'run a task over every line of a JSONL file, one result line per input; re-running resumes, each input exactly once',
    )
    // The module is checked with --input and --output (see checkRequired), so that a bare
    // `switchyard run` names all three at once; commander would name the options alone first.
    .usage('[options] <module>')
    .argument(
      '[module]',
      'task module (path or URL), optionally #EXPORT (default: the default export)',
    )
    .option('-i, --input <file>', 'JSONL input, one JSON value per line; - for stdin')
    .option('-o, --output <file>', 'JSONL output; if it exists, the run resumes it')
    .addOption(
      new Option(
        '--mode <mode>',
        'concurrency model (for a cluster, start `switchyard worker`s and use the library with mode distributed: it needs a Redis connection)',
      )
        .choices(RUN_MODES)
        .default('auto' satisfies Mode),
    )
    .option(
      '--concurrency <n>',
      `most tasks in flight at once (threads/processes: one worker each, at most ${MAX_WORKERS})`,
      integerAtLeast(1),
    )
    .option('--workers <n>', `pool size for threads/processes, at most ${MAX_WORKERS}`, workerCount)
    .option('--timeout <ms>', 'milliseconds each task may run', integerAtLeast(1))
    .option('--retries <n>', 're-runs of a task whose worker crashed', integerAtLeast(0))
    .addOption(
      new Option(
        '--on-error <policy>',
        'continue: record a failure as a result line; stop: drain and stop without recording it',
      )
        .choices(['continue', 'stop'] satisfies OnError[])
        .default('stop' satisfies OnError),
    )
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      `
Output: one line per input, in the order the tasks finish; index counts the input's
non-blank lines from 0:
  {"index":0,"ok":true,"value":42}                                 what the task returned
  {"index":1,"ok":false,"error":{"name":"TaskError","message":"…"}}  a failure (--on-error continue)

Re-running the same command resumes: inputs that already have a line in the output are
skipped, so each input gets exactly one line, even after a crash.

Ctrl-C once: read no more input, let the running tasks finish and write their results.
Ctrl-C again: cancel the running tasks (the next run does them). SIGTERM does the same.

Exit codes: 0 every input has a line; 1 stopped at a failure (--on-error stop) or a bad
command; 130 stopped by Ctrl-C; 143 stopped by SIGTERM.

Example:
  switchyard run ./resize.js#thumbnail --input photos.jsonl --output thumbs.jsonl`,
    )
    .action(async (module: string | undefined, given: Partial<RunFlags>, command: Command) => {
      const flags = checkRequired(module, given, command);
      checkFlagsForMode(flags, command);
      checkDistinctFiles(flags, command);
      explainEarlyExit(
        'the run',
        'the results written so far are kept, and re-running the same command resumes; --mode threads or --mode processes keeps such a task from ending the run',
      );
      const summary = await runJsonl({
        task: parseTaskSpec(flags.module),
        input: flags.input,
        output: flags.output,
        onError: flags.onError,
        executor: {
          mode: flags.mode,
          ...definedOnly({
            concurrency: flags.concurrency,
            workers: flags.workers,
            timeout: flags.timeout,
            retries: flags.retries,
          }),
        },
        progress: createProgress(),
        onDrain: (signal, running) => {
          const again = signal === 'SIGINT' ? 'press Ctrl-C again' : `send ${signal} again`;
          const tasks = running === 1 ? '1 running task' : `${running} running tasks`;
          process.stderr.write(
            `\nswitchyard: stopping: finishing ${tasks} and writing their results; ${again} to cancel them\n`,
          );
        },
      });
      process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : describe(summary));
      if (summary.error) process.stderr.write(`switchyard: ${summary.error}\n`);
      const code =
        summary.stoppedBy === 'error'
          ? 1
          : summary.stoppedBy
            ? SIGNAL_EXIT_CODES[summary.stoppedBy]
            : 0;
      // Cancelled tasks that ignore their signal would keep the process alive; their results
      // are not wanted any more, and everything else is already written.
      if (summary.cancelled) exitNow(code);
      process.exitCode = code;
    });
}

/** The module, --input and --output, all named in one usage error when any is missing. */
function checkRequired(
  module: string | undefined,
  flags: Partial<RunFlags>,
  command: Command,
): RunFlags & { module: string } {
  const missing = [
    module === undefined && '<module>',
    flags.input === undefined && '--input <file>',
    flags.output === undefined && '--output <file>',
  ].filter((name) => name !== false);
  if (missing.length > 0) {
    const list =
      missing.length === 1
        ? missing[0]
        : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`;
    command.error(
      `error: missing ${list}; for example: switchyard run ./task.js --input in.jsonl --output out.jsonl`,
    );
  }
  return { ...(flags as RunFlags), module: module! };
}

/**
 * --input and --output naming one file (by path, link or hard link) would append results
 * to the inputs being read.
 */
function checkDistinctFiles({ input, output }: RunFlags, command: Command): void {
  if (input === '-') return;
  const same =
    resolve(input) === resolve(output) ||
    ((a, b) => a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino)(
      statSync(input, { throwIfNoEntry: false }),
      statSync(output, { throwIfNoEntry: false }),
    );
  if (same)
    command.error(
      `error: --input and --output name the same file (${output}); results go to a file of their own, such as ${output.replace(/(\.jsonl)?$/, '.out.jsonl')}`,
    );
}

/** The executor options run's flags set, by flag. */
const FLAG_OPTIONS = ['concurrency', 'workers', 'timeout', 'retries'] as const;

/**
 * A flag the chosen mode does not take is a usage error naming the modes that take it; so
 * is a --concurrency that would start more than MAX_WORKERS workers.
 */
function checkFlagsForMode(flags: RunFlags, command: Command): void {
  for (const name of FLAG_OPTIONS) {
    if (flags[name] === undefined || MODE_OPTIONS[flags.mode].includes(name)) continue;
    const takers = RUN_MODES.filter((mode) => MODE_OPTIONS[mode].includes(name));
    command.error(
      `error: --${name} does not apply to --mode ${flags.mode}; it is for --mode ${takers.join(', ')}`,
    );
  }
  // A pool runs one task per worker here (run has no --tasks-per-worker), so its
  // concurrency is its worker count. Under auto and loop it only caps tasks in flight.
  const pool = flags.mode === 'threads' || flags.mode === 'processes';
  if (pool && flags.concurrency !== undefined && flags.concurrency > MAX_WORKERS) {
    command.error(
      `error: --concurrency ${flags.concurrency} is too many for --mode ${flags.mode}: it starts one worker per task in flight, at most ${MAX_WORKERS}; lower it, or use --mode loop for tasks that mostly wait`,
    );
  }
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

function describe(s: RunSummary): string {
  const lines = [
    `${s.ok + s.failed} results written (${s.ok} ok, ${s.failed} failed) in ${(s.wallMs / 1000).toFixed(1)} s, ${s.perSecond.toFixed(1)}/s; ${s.resumed} already in ${s.output}`,
    s.decision
      ? `mode: auto → ${s.decision.mode} (concurrency ${s.decision.concurrency}): ${s.decision.reason}`
      : `mode: ${s.mode}`,
  ];
  if (s.droppedBytes > 0) {
    lines.push(
      `dropped a half-written last line (${s.droppedBytes} bytes) left by an earlier crash; its input ran again`,
    );
  }
  if (s.cancelled) lines.push('cancelled the running tasks; re-run the same command to resume');
  else if (s.stoppedBy === 'error')
    lines.push(
      'stopped at a failure (--on-error stop); fix it and re-run the same command to resume',
    );
  else if (s.stoppedBy)
    lines.push(
      `stopped by ${s.stoppedBy} after the running tasks finished; re-run the same command to resume`,
    );
  else if (s.complete) lines.push('complete: every input has a result');
  return `${lines.join('\n')}\n`;
}

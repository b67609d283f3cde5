/**
 * `switchyard run MODULE[#EXPORT] --input FILE.jsonl --output FILE.jsonl`: runs a task over
 * every input line, appending one result line per input; re-running resumes.
 */
import { type Command, Option } from 'commander';
import { MODE_OPTIONS } from '../../core/options.js';
import { MODES, type Mode } from '../../core/types.js';
import { createProgress } from '../../run/progress.js';
import { type OnError, type RunSummary, runJsonl } from '../../run/run.js';
import { SIGNAL_EXIT_CODES } from '../../run/signals.js';
import { integerAtLeast } from '../options.js';

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
    .argument(
      '<module>',
      'task module (path or URL), optionally #EXPORT (default: the default export)',
    )
    .requiredOption('-i, --input <file>', 'JSONL input, one JSON value per line; - for stdin')
    .requiredOption('-o, --output <file>', 'JSONL output; if it exists, the run resumes it')
    .addOption(
      new Option(
        '--mode <mode>',
        'concurrency model (for a cluster, start `switchyard worker`s and use the library with mode distributed: it needs a Redis connection)',
      )
        .choices(RUN_MODES)
        .default('auto' satisfies Mode),
    )
    .option('--concurrency <n>', 'most tasks in flight at once', integerAtLeast(1))
    .option('--workers <n>', 'pool size for threads/processes', integerAtLeast(1))
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
    .action(async (module: string, flags: RunFlags, command: Command) => {
      checkFlagsForMode(flags, command);
      const summary = await runJsonl({
        task: parseTaskSpec(module),
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
      if (summary.cancelled) process.exit(code);
      process.exitCode = code;
    });
}

/** The executor options run's flags set, by flag. */
const FLAG_OPTIONS = ['concurrency', 'workers', 'timeout', 'retries'] as const;

/** A flag the chosen mode does not take is a usage error naming the modes that take it. */
function checkFlagsForMode(flags: RunFlags, command: Command): void {
  for (const name of FLAG_OPTIONS) {
    if (flags[name] === undefined || MODE_OPTIONS[flags.mode].includes(name)) continue;
    const takers = MODES.filter((mode) => MODE_OPTIONS[mode].includes(name));
    command.error(
      `error: --${name} does not apply to --mode ${flags.mode}; it is for --mode ${takers.join(', ')}`,
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

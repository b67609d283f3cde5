/**
 * `switchyard profile MODULE[#EXPORT] --input FILE.jsonl`: runs the first inputs through
 * `auto` and says where it settled — which mode, how many in flight — why, with the
 * numbers, and the moves that led there.
 */
import type { Command } from 'commander';
import type { Decision, DecisionStep } from '../../core/types.js';
import { openInput, readInputs } from '../../run/input.js';
import { type ProfileReport, profileTask } from '../../run/profile.js';
import { integerAtLeast } from '../options.js';
import { parseTaskSpec } from '../task-spec.js';

interface ProfileFlags {
  input: string;
  sample: number;
  seconds: number;
  timeout?: number;
  json?: boolean;
}

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description(
      'run the first inputs through auto and say which mode and concurrency fit the task, why, and how auto found them',
    )
    .argument(
      '<module>',
      'task module (path or URL), optionally #EXPORT (default: the default export)',
    )
    .requiredOption('-i, --input <file>', 'JSONL input, one JSON value per line; - for stdin')
    .option('--sample <n>', 'most inputs to run', integerAtLeast(2), 1_000)
    .option('--seconds <s>', 'stop reading inputs after this many seconds', integerAtLeast(1), 10)
    .option('--timeout <ms>', 'milliseconds each task may run', integerAtLeast(1))
    .option('--json', 'print the report as JSON')
    .action(async (module: string, flags: ProfileFlags) => {
      const report = await profileTask(parseTaskSpec(module), firstValues(flags.input), {
        sample: flags.sample,
        durationMs: flags.seconds * 1000,
        timeout: flags.timeout,
      });
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : describe(report));
      if (!report.decision) {
        const first = report.firstError;
        process.stderr.write(
          `switchyard: ${report.sampled === 0 ? 'the input has no values to run' : `every one of the ${report.sampled} inputs run failed${first ? ` (the first with ${first.name}: ${first.message})` : ''}`}; fix that before choosing a mode\n`,
        );
        process.exitCode = 1;
      }
    });
}

/** The input's values, read lazily; a malformed line stops the profile, naming it. */
async function* firstValues(path: string): AsyncGenerator<unknown> {
  const source = await openInput(path);
  try {
    for await (const record of readInputs(source)) {
      if (!record.ok) throw record.error;
      yield record.value;
    }
  } finally {
    source.destroy();
  }
}

function describe({ decision: d, sampled, failed, wallMs }: ProfileReport): string {
  const ran = `ran ${count(sampled)} inputs (${count(failed)} failed) in ${(wallMs / 1000).toFixed(1)} s`;
  if (!d) return `no recommendation: ${ran}\n`;
  const m = d.measured;
  const rows: [string, string][] = [
    ['throughput', `${rate(m.throughput)} tasks/s`],
    ['latency per task (mean)', ms(m.latencyMs)],
    ['tasks in flight (mean)', m.inFlight === undefined ? '?' : m.inFlight.toFixed(1)],
    ['this thread busy', share(m.busyShare)],
    ['CPU per task on this thread', ms(m.cpuPerTaskMs)],
    ['usable CPUs', String(m.cpus ?? '?')],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    `workload: ${d.workload ?? 'not measured yet'}`,
    `recommended: ${recommended(d)}`,
    `why: ${d.reason}`,
    `${ran}; last measured:`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    'how auto got there:',
    ...d.history.map(step),
    `  now       ${level(d)}`,
    '',
  ].join('\n');
}

const LEVEL_WIDTH = 22;

function step(s: DecisionStep): string {
  const at = `${(s.atMs / 1000).toFixed(2)} s`.padEnd(9);
  return `  ${at} ${level(s).padEnd(LEVEL_WIDTH)} ${`${rate(s.throughput)}/s`.padStart(10)}  ${s.reason}`;
}

function level(s: Pick<Decision, 'mode' | 'concurrency' | 'tasksPerWorker'>): string {
  return s.mode === 'threads'
    ? `threads, ${s.tasksPerWorker ?? 1} per worker`
    : `${s.mode}, ${count(s.concurrency)} at a time`;
}

function recommended(d: Decision): string {
  const options: Record<string, unknown> = { mode: d.mode };
  if (d.mode === 'loop') options.concurrency = d.concurrency;
  if (d.workers !== undefined) options.workers = d.workers;
  if (d.tasksPerWorker !== undefined && d.tasksPerWorker > 1)
    options.tasksPerWorker = d.tasksPerWorker;
  const flags = Object.entries(options)
    .filter(([k]) => k !== 'tasksPerWorker')
    .map(([k, v]) => `--${k} ${v}`)
    .join(' ');
  return `createExecutor(${JSON.stringify(options)}) — switchyard run ${flags}`;
}

function count(n: number): string {
  return n.toLocaleString('en');
}

function ms(value: number | undefined): string {
  if (value === undefined) return '?';
  return value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

function share(value: number | undefined): string {
  return value === undefined ? '?' : `${Math.round(value * 100)}%`;
}

function rate(value: number | undefined): string {
  return value ? Math.round(value).toLocaleString('en') : '—';
}

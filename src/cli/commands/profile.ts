/**
 * `switchyard profile MODULE[#EXPORT] --input FILE.jsonl`: runs a small sample of the real
 * inputs and says what kind of work it is, which mode and sizes fit it, and why.
 */
import type { Command } from 'commander';
import { AVAILABLE_MODES } from '../../executor/create.js';
import { openInput, readInputs } from '../../run/input.js';
import type { AutoDecision } from '../../runners/auto/classify.js';
import { type ProfileReport, profileTask } from '../../runners/auto/profile.js';
import { integerAtLeast } from '../options.js';
import { parseTaskSpec } from '../task-spec.js';

interface ProfileFlags {
  input: string;
  sample?: number;
  timeout?: number;
  json?: boolean;
}

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description(
      'run a sample of the inputs and say whether the task is I/O-bound, CPU-bound, mixed or tiny, which mode and concurrency fit it, and why',
    )
    .argument(
      '<module>',
      'task module (path or URL), optionally #EXPORT (default: the default export)',
    )
    .requiredOption('-i, --input <file>', 'JSONL input, one JSON value per line; - for stdin')
    .option(
      '--sample <n>',
      "most inputs to run, half alone, half overlapped (default: auto's plan, 1-8 alone, then 8, 32 and 128 overlapped while overlapping pays)",
      integerAtLeast(2),
    )
    .option('--timeout <ms>', 'milliseconds each sampled task may run', integerAtLeast(1))
    .option('--json', 'print the report as JSON')
    .action(async (module: string, flags: ProfileFlags) => {
      const report = await profileTask(parseTaskSpec(module), firstValues(flags.input), {
        sample: flags.sample,
        timeout: flags.timeout,
        available: AVAILABLE_MODES,
      });
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : describe(report));
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

function describe({ decision: d, sampled, failed }: ProfileReport): string {
  const m = d.measured;
  const rows: [string, string][] = [
    ['wall time per task (median)', ms(m.wallMs)],
    ['CPU time per task (mean)', ms(m.cpuMs)],
    ['fastest call (its synchronous part)', ms(m.fastestCallMs)],
    ['CPU share of wall time', share(m.cpuShare)],
    ['busy share: CPU ÷ (CPU + waiting)', share(m.busyShare)],
    ['tasks/s one at a time', rate(m.sequentialPerSecond)],
    [`tasks/s overlapped (${m.concurrencyLevel ?? 0} at once)`, rate(m.concurrentPerSecond)],
    ['usable CPUs', String(m.cpus ?? '?')],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    `workload: ${d.workload}`,
    `recommended: ${recommended(d)}`,
    `why: ${d.reason}`,
    `measured on ${sampled} inputs (${failed} threw):`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    '',
  ].join('\n');
}

function recommended(d: AutoDecision): string {
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

function ms(value: number | undefined): string {
  if (value === undefined) return '?';
  return value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

function share(value: number | undefined): string {
  return value === undefined ? '?' : `${Math.round(value * 100)}%`;
}

function rate(value: number | undefined): string {
  return value ? value.toFixed(value < 100 ? 1 : 0) : '—';
}

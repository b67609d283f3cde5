/**
 * `switchyard profile MODULE[#EXPORT] --input FILE.jsonl`: runs the first inputs through
 * `auto` and says which level to run at — which mode, how many in flight — why, with the
 * numbers, and the moves that led there.
 */
import type { Command } from 'commander';
import type { Decision, DecisionStep } from '../../core/types.js';
import { openInput, readInputs } from '../../run/input.js';
import {
  type ProfileLevel,
  type ProfileReport,
  profileTask,
  type Recommendation,
} from '../../run/profile.js';
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
    .addHelpText(
      'after',
      `
The report names the kind of work; the level to run at (mode and tasks in flight) with
the throughput auto measured there, as a library call and as switchyard run flags; auto's
reason; its last measurement; and each move it made: the level it left, the throughput
there, and why. The level recommended is the one auto measured and kept. If the sample
ends while auto is still trying a level (a step up or down, a move to or from worker
threads), it is the best level auto measured before, and the report names the one it was
trying: a larger --sample or --seconds lets auto finish. --json gives the same as fields
(recommended, trying, endedBy, decision).

Exit codes:
  0  a level is recommended
  1  no recommendation: the input has no values, every input run failed, or the sample
     ended before auto measured a level (raise --sample or --seconds); or the command
     could not run (a bad flag, an input it cannot read, a task module it cannot load)`,
    )
    .action(async (module: string, flags: ProfileFlags) => {
      const report = await profileTask(parseTaskSpec(module), firstValues(flags.input), {
        sample: flags.sample,
        durationMs: flags.seconds * 1000,
        timeout: flags.timeout,
      });
      const run = { module, ...flags };
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : formatReport(report, run));
      if (!report.recommended) {
        process.stderr.write(`switchyard: ${whyNone(report, flags)}\n`);
        process.exitCode = 1;
      }
    });
}

/** Why `report` recommends nothing, and what would help. */
function whyNone(report: ProfileReport, flags: ProfileFlags): string {
  const first = report.firstError;
  if (report.sampled === 0)
    return 'the input has no values to run; fix that before choosing a mode';
  if (!report.decision)
    return `every one of the ${report.sampled} inputs run failed${first ? ` (the first with ${first.name}: ${first.message})` : ''}; fix that before choosing a mode`;
  const sample = `--sample (now ${count(flags.sample)})`;
  const seconds = `--seconds (now ${count(flags.seconds)})`;
  const none = 'no recommendation yet: the sample ended';
  switch (report.endedBy) {
    case 'sample':
      return `${none} at ${count(report.sampled)} inputs, before auto measured a level; raise ${sample}, and ${seconds} if time ends it then`;
    case 'time':
      return `${none} after ${count(flags.seconds)} s, before auto measured a level; raise ${seconds}, and ${sample} if that ends it then`;
    case 'input':
      return `${none} with the input, after ${count(report.sampled)} values, before auto measured a level; give it more values (${sample}, ${seconds} are not what ended it)`;
  }
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

/** What `profile` was run on: the recommended `switchyard run` command names them. */
export interface ProfileRun {
  readonly module: string;
  readonly input: string;
  readonly sample: number;
  readonly seconds: number;
}

/** The report as `profile` prints it. */
export function formatReport(report: ProfileReport, run: ProfileRun): string {
  const { decision: d, recommended: r, trying, sampled, failed, wallMs } = report;
  const ran = `ran ${count(sampled)} inputs (${count(failed)} failed) in ${(wallMs / 1000).toFixed(1)} s`;
  if (!d) return `no recommendation: ${ran}\n`;
  if (!r) {
    const at = d.history.length === 0 ? 'still at its first level,' : 'trying';
    return `no recommendation yet: ${ran}, and the sample ended before auto measured anything (it was ${at} ${where(trying ?? d)})\n`;
  }
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
  const more = `a larger --sample (now ${count(run.sample)}) or --seconds (now ${count(run.seconds)}) lets it finish`;
  const unsettled = !trying
    ? []
    : same(trying, r)
      ? [
          `not settled: auto had gone back to ${where(trying)} and was measuring it again when the sample ended; ${more}`,
        ]
      : [
          `not settled: auto was trying ${where(trying)} when the sample ended, not measured yet; ${more}`,
        ];
  return [
    `workload: ${d.workload ?? 'not measured yet'}`,
    `recommended: ${where(r)}, measured at ${rate(r.throughput)} tasks/s${trying ? ', the best auto measured' : ''}`,
    ...howToRun(r, run),
    ...unsettled,
    // While auto tries a level, its reason is why it went there, not why to run at the one recommended.
    `${trying ? "auto's last move" : 'why'}: ${d.reason}`,
    `${ran}; last measured:`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    'how auto got there:',
    ...d.history.map(step),
    `  now       ${level(d)}`,
    '',
  ].join('\n');
}

/**
 * The recommended level as a library call and as `switchyard run` flags. `run` has no flag
 * for tasks per worker, so threads that take more than one each are said plainly to be
 * out of its reach, not dropped from the flags.
 */
function howToRun(r: Recommendation, run: ProfileRun): string[] {
  const options =
    r.mode === 'threads'
      ? `mode: 'threads', workers: ${r.workers}${r.tasksPerWorker === 1 ? '' : `, tasksPerWorker: ${r.tasksPerWorker}`}`
      : `mode: '${r.mode}', concurrency: ${r.concurrency}`;
  const flags = r.mode === 'threads' ? `--workers ${r.workers}` : `--concurrency ${r.concurrency}`;
  const command = `switchyard run ${shellWord(run.module)} --input ${shellWord(run.input)} --output OUTPUT.jsonl --mode ${r.mode} ${flags}`;
  const lines = [`  library: createExecutor({ ${options} })`, `  command: ${command}`];
  if (r.mode === 'threads' && r.tasksPerWorker !== 1)
    lines.push(
      `           run has no flag for ${r.tasksPerWorker} tasks per worker: with these flags each worker runs 1 at a time; for ${r.tasksPerWorker}, use the library call, or run's default --mode auto, which finds the level itself`,
    );
  return lines;
}

/** "loop, 128 at a time" or "threads, 4 per worker on 2 threads". */
function where(l: ProfileLevel): string {
  return l.mode === 'threads'
    ? `threads, ${l.tasksPerWorker} per worker on ${l.workers} ${l.workers === 1 ? 'thread' : 'threads'}`
    : `${l.mode}, ${count(l.concurrency)} at a time`;
}

function same(a: ProfileLevel, b: ProfileLevel): boolean {
  return (
    a.mode === b.mode && a.concurrency === b.concurrency && a.tasksPerWorker === b.tasksPerWorker
  );
}

/** `word` as one word of a POSIX shell command line. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./#-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
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

/**
 * `npm run bench:experiment` — the project's own targets for `switchyard bench`, checked on
 * the command as users run it: the package is built once (timed, as `npm start` builds it
 * every time), then `switchyard bench` runs `RUNS` times (default 5), each in a fresh
 * process of the built CLI, and this script prints each run's figures, the targets with
 * met or missed over all runs, and each run's total wall time.
 *
 * The targets (they live here, never in what `switchyard bench` prints):
 * - the I/O job's `loop` at most 1.15× the latency bound;
 * - the CPU job's `threads` at least 1.8× `sync`;
 * - the I/O verdict recommends `loop`; the CPU verdict recommends `threads`, or a tie of
 *   `threads` and `processes`;
 * - the whole of `npm start` (build + bench) within 90 s.
 *
 * Extra arguments go to every bench run (e.g. `-- --compare python`). Each run's JSON
 * document is kept in `.bench-out/experiment-<time>/`.
 *
 * Run it alone, on an idle machine: `flock /tmp/switchyard-bench.lock npm run bench:experiment`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchDocument, JobReport } from '../src/bench/types.js';
import { printTable } from './markdown-table.js';

const RUNS = Number(process.env.RUNS ?? 5);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const OUT = join(
  ROOT,
  '.bench-out',
  `experiment-${new Date().toISOString().replace(/[:.]/g, '-')}`,
);

interface Run {
  readonly doc: BenchDocument;
  /** Wall time of the whole `switchyard bench` process, in ms. */
  readonly wallMs: number;
  /** 1-minute load average when it started. */
  readonly load: number;
}

interface Target {
  readonly what: string;
  /** The run's figure, shown. */
  readonly shown: (run: Run) => string;
  readonly met: (run: Run) => boolean;
}

const job = (run: Run, name: 'io' | 'cpu'): JobReport => {
  const found = run.doc.jobs.find((j) => j.job === name);
  if (!found) throw new Error(`the bench printed no ${name} job`);
  return found;
};
const row = (run: Run, name: 'io' | 'cpu', mode: string) =>
  job(run, name).results.find((r) => r.mode === mode);

let buildMs = 0;
const TARGETS: readonly Target[] = [
  {
    what: 'I/O: loop ≤ 1.15× the latency bound',
    shown: (run) => ratio(row(run, 'io', 'loop')?.limitRatio),
    met: (run) => (row(run, 'io', 'loop')?.limitRatio ?? Number.POSITIVE_INFINITY) <= 1.15,
  },
  {
    what: 'CPU: threads ≥ 1.8× sync',
    shown: (run) => ratio(row(run, 'cpu', 'threads')?.speedup),
    met: (run) => (row(run, 'cpu', 'threads')?.speedup ?? 0) >= 1.8,
  },
  {
    what: 'I/O verdict recommends loop',
    shown: (run) => verdictOf(job(run, 'io')),
    met: (run) => job(run, 'io').recommended === 'loop',
  },
  {
    what: 'CPU verdict recommends threads (or a tie of threads and processes)',
    shown: (run) => verdictOf(job(run, 'cpu')),
    met: (run) => {
      const { recommended, tied } = job(run, 'cpu');
      const pair = tied.length === 2 && tied.includes('threads') && tied.includes('processes');
      return recommended === 'threads' || (pair && recommended === 'processes');
    },
  },
  {
    what: 'npm start (build + bench) ≤ 90 s',
    shown: (run) => seconds(buildMs + run.wallMs),
    met: (run) => buildMs + run.wallMs <= 90_000,
  },
];

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  console.log(`bench:experiment — Node ${process.version}, ${RUNS} runs of switchyard bench`);
  const built = performance.now();
  await exec('npm', ['run', 'build', '--silent']);
  buildMs = performance.now() - built;
  console.log(`build (npm start does it every time): ${seconds(buildMs)}`);

  const runs: Run[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const load = loadavg()[0] ?? 0;
    const started = performance.now();
    const stdout = await exec(process.execPath, [CLI, 'bench', '--json', ...process.argv.slice(2)]);
    const run = {
      doc: JSON.parse(stdout) as BenchDocument,
      wallMs: performance.now() - started,
      load,
    };
    writeFileSync(join(OUT, `run-${i}.json`), stdout);
    runs.push(run);
    console.log(`run ${i}: ${seconds(run.wallMs)} (load average ${load.toFixed(2)} at the start)`);
  }

  for (const name of ['io', 'cpu'] as const) {
    console.log(
      `\n${name === 'io' ? 'I/O' : 'CPU'} job: median wall time of each mode (middle half of its runs), per bench run`,
    );
    const first = job(runs[0]!, name);
    console.log(`  ${first.workload}; ${first.setup}`);
    printTable(
      ['mode', ...runs.map((_, i) => `run ${i + 1}`)],
      first.results.map((r) => [
        r.mode,
        ...runs.map((run) => {
          const m = row(run, name, r.mode);
          if (!m || m.wallMs === null || !m.spreadMs) return '–';
          return `${ms(m.wallMs)} (${ms(m.spreadMs.low)}–${ms(m.spreadMs.high)}, ${m.runs.length})`;
        }),
      ]),
    );
    if (name === 'cpu') {
      console.log(`  scale per run: ${runs.map((run) => job(run, 'cpu').params.scale).join(', ')}`);
    }
  }

  console.log(`\ntargets, over all ${RUNS} runs`);
  printTable(
    ['target', ...runs.map((_, i) => `run ${i + 1}`), 'median', 'all runs'],
    TARGETS.map((t) => {
      const numbers = runs.map((run) => Number.parseFloat(t.shown(run)));
      const numeric = numbers.every(Number.isFinite);
      const sorted = [...numbers].sort((a, b) => a - b);
      return [
        t.what,
        ...runs.map((run) => `${t.shown(run)} ${t.met(run) ? 'met' : 'MISSED'}`),
        numeric ? `${sorted[sorted.length >> 1]} (${sorted[0]}–${sorted.at(-1)})` : '',
        runs.every(t.met) ? 'met' : 'MISSED',
      ];
    }),
  );
  console.log(
    `\nrun wall times: ${runs.map((run) => seconds(run.wallMs)).join(', ')}; build ${seconds(buildMs)}`,
  );
  console.log(`documents: ${OUT}`);
}

/** Runs a command; resolves with its stdout, rejects with its stderr if it fails. */
function exec(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

function verdictOf({ recommended, tied }: JobReport): string {
  return `${recommended ?? 'none'}${tied.length > 0 ? ` (tie: ${tied.join(', ')})` : ''}`;
}

function ratio(value: number | null | undefined): string {
  return value == null ? '–' : `${value.toFixed(2)}×`;
}

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)}`;
}

function seconds(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}

await main();

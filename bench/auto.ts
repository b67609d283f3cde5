/**
 * `npm run bench:auto` — does `auto` pick well? For each of the four kinds of work the
 * tests define (`test/fixtures/workloads.mjs`: timer waits, arithmetic, half of each,
 * 10 µs tasks), and for 100 µs tasks (tiny, but worth chunked threads), the same inputs
 * run through every fixed mode and through `auto`, rounds interleaved and rotated so that
 * a noisy neighbour hurts every mode alike. Each measurement runs in a fresh `node`
 * process, as a program using switchyard would: in one shared process, whichever mode
 * first ran a workload on the calling thread paid ~60–80 ms for it (loading the task's
 * module, warming the JIT on that path), and with the rotation that was `auto` in most
 * rounds. Wall time covers everything a user waits for: creating the executor (starting
 * workers), auto's profiling, the map, and close. Prints medians, each mode's ratio to the
 * best fixed mode, and whether auto met its target: at most 1.15× the best fixed mode,
 * never the worst.
 *
 * It measures the compiled package (`dist/`, built by the npm script), as users run it.
 * Run it alone: `flock /tmp/switchyard-bench.lock npm run bench:auto`. `ROUNDS=5` for more.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Decision, Mode } from '../src/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const TARGET = 1.15;
const WORKLOADS = new URL('../test/fixtures/workloads.mjs', import.meta.url);
const FIXED: readonly Mode[] = ['sync', 'loop', 'threads', 'processes'];
const MODES: readonly Mode[] = [...FIXED, 'auto'];
const JOBS = [
  { name: 'io', inputs: 1_000, what: '20 ms timer wait' },
  { name: 'cpu', inputs: 200, what: '~10 ms arithmetic' },
  { name: 'mixed', inputs: 200, what: 'arithmetic, then a 10 ms wait' },
  { name: 'tiny', inputs: 20_000, what: '~10 µs arithmetic' },
  { name: 'short', inputs: 20_000, what: '~100 µs arithmetic' },
] as const;

type Job = (typeof JOBS)[number];

interface Timed {
  readonly ms: number;
  readonly decision?: Decision;
}

/** One measurement, in this (fresh) process: what `bench/auto.ts JOB MODE` prints. */
async function timeOnce(job: Job, mode: Mode): Promise<Timed> {
  const dist = new URL('../dist/index.js', import.meta.url).href;
  const { createExecutor, task } = (await import(dist)) as typeof import('../src/index.js');
  const inputs = Array.from({ length: job.inputs }, (_, n) => ({ n }));
  const started = performance.now();
  const ex = createExecutor({ mode });
  let sum = 0;
  for await (const s of ex.mapSettled(task<{ n: number }, number>(WORKLOADS, job.name), inputs)) {
    if (!s.ok)
      throw new Error(`${job.name} under ${mode}: input ${s.index} failed: ${s.error.message}`);
    sum += s.value;
  }
  await ex.close();
  const ms = performance.now() - started;
  if (sum !== (job.inputs * (job.inputs - 1)) / 2)
    throw new Error(`${job.name} under ${mode}: wrong results`);
  return { ms, ...(ex.decision ? { decision: ex.decision } : {}) };
}

/** Runs {@link timeOnce} in a fresh process (the same loader flags, this file). */
function timeInChild(job: Job, mode: Mode): Timed {
  const script = fileURLToPath(import.meta.url);
  const { stdout, stderr, status } = spawnSync(
    process.execPath,
    [...process.execArgv, script, job.name, mode],
    { encoding: 'utf8', timeout: 600_000 },
  );
  const line = stdout.trim().split('\n').at(-1);
  if (status !== 0 || !line?.startsWith('{'))
    throw new Error(`${job.name} under ${mode} failed: ${stderr}`);
  return JSON.parse(line) as Timed;
}

const [childJob, childMode] = process.argv.slice(2);
if (childJob !== undefined) {
  const job = JOBS.find((j) => j.name === childJob);
  if (!job || !MODES.includes(childMode as Mode))
    throw new Error(`usage: auto.ts JOB MODE (${childJob} ${childMode})`);
  console.log(JSON.stringify(await timeOnce(job, childMode as Mode)));
  process.exit(0);
}

const times = new Map<string, number[]>();
const decisions = new Map<string, Decision>();
for (let round = 1; round <= ROUNDS; round++) {
  for (const job of JOBS) {
    // Each round starts at another mode, so that none always runs right after the same one.
    for (const mode of MODES.map((_, i) => MODES[(i + round) % MODES.length]!)) {
      const { ms, decision } = timeInChild(job, mode);
      const key = `${job.name}/${mode}`;
      times.set(key, [...(times.get(key) ?? []), ms]);
      if (decision) decisions.set(job.name, decision);
    }
  }
  process.stderr.write(`round ${round}/${ROUNDS} done\n`);
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const cell = (ms: number, best: number) => `${ms.toFixed(0)} ms (${(ms / best).toFixed(2)}×)`;

const header = ['workload', ...MODES, 'auto chose', 'auto ≤ 1.15× best, not worst'];
const rows = JOBS.map((job) => {
  const med = new Map(MODES.map((m) => [m, median(times.get(`${job.name}/${m}`)!)]));
  const fixed = FIXED.map((m) => med.get(m)!);
  const best = Math.min(...fixed);
  const worst = Math.max(...fixed);
  const auto = med.get('auto')!;
  const d = decisions.get(job.name);
  const chose = d
    ? `${d.mode}${d.mode === 'loop' ? ` ×${d.concurrency}` : ''}${d.mode === 'threads' && d.workload === 'tiny' ? ', chunked' : ''}${d.tasksPerWorker && d.tasksPerWorker > 1 ? `, ${d.tasksPerWorker}/worker` : ''}`
    : '?';
  const met = auto <= TARGET * best && auto < worst;
  return [
    `${job.name} (${job.inputs} × ${job.what})`,
    ...MODES.map((m) => cell(med.get(m)!, best)),
    chose,
    met ? 'yes' : `NO (${(auto / best).toFixed(2)}×)`,
  ];
});

console.log(`bench:auto — median of ${ROUNDS} rounds; ratios are to the best fixed mode\n`);
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
for (const job of JOBS) {
  const d = decisions.get(job.name);
  if (d) console.log(`\n${job.name}: ${d.reason}`);
}

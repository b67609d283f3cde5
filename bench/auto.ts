/**
 * `npm run bench:auto` — does `auto` find the right model and concurrency on work it was
 * never tuned on? Real workloads of every kind it must tell apart (`auto/workloads.mjs`:
 * native hashing, JSON, HTTP to a server of limited capacity, heavy-tailed CPU, wait then
 * compute, async zlib and small file reads on libuv's 4 threads, timer waits (uniform,
 * heavy-tailed, and heavy-tailed through an ordered `map`), a wait then a little CPU, a
 * database client pool, CPU on a large input, a map that changes phase, mixed, tiny and
 * short tasks, a few long ones, CPU in an `async` function, CPU that yields to the event
 * loop, a page rendered with a large result, a synchronous call that blocks, buffers held
 * through a wait, a first call that builds a table before every call waits, short waits
 * all submitted at once; and `auto/slow-import.mjs`, a module slow to import) run under a
 * grid of fixed modes —
 * `sync`, `loop` at 64 and at 512, `threads`, `threads` with 8 tasks per worker,
 * `processes` — and under `auto`.
 *
 * Each measurement runs in a fresh `node` process on the built package (`dist/`), as a
 * program using switchyard would, and covers everything a user waits for: creating the
 * executor, the whole `map`, and `close`. The servers run in a process of their own
 * (`auto/servers.mjs`), never on the event loop being measured. Rounds are interleaved
 * and each starts at another mode, so that a noisy neighbour hurts every mode alike; the
 * table shows medians and each one's ratio to the best fixed mode, then the targets:
 * auto ≤ 1.15× the best fixed mode on every workload, and never more than 1.15× `loop`
 * at 64 on waiting work that lasts a second or more.
 *
 * Run it alone: `flock /tmp/switchyard-bench.lock npm run bench:auto` (about 25 minutes
 * with the default 3 rounds on an idle 2-CPU machine, mostly `sync` and one-task-per-worker
 * pools waiting on timers and sockets; three times that on a busy one). `ROUNDS=5` for more;
 * `WORKLOADS=http,db` and `MODES=auto,loop64` to run part of the grid while developing;
 * `SCALE=5` for jobs five times as long.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Decision, ExecutorOptions } from '../src/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** Every workload's inputs are multiplied by this: `SCALE=5` shows what a fixed start-up cost weighs in a longer job. */
const SCALE = Number(process.env.SCALE ?? 1);
const TARGET = 1.15;
const WAITING_AT_LEAST_MS = 1_000;
const TASKS = new URL('./auto/workloads.mjs', import.meta.url);
const SERVERS = fileURLToPath(new URL('./auto/servers.mjs', import.meta.url));

interface Workload {
  readonly name: string;
  readonly inputs: number;
  readonly what: string;
  /** Work that waits (on timers, sockets, libuv's threads): the `loop` at 64 target applies. */
  readonly waiting?: boolean;
  /** The input of task `n` of `count` (default `{ n }`). */
  readonly input?: (n: number, count: number) => Record<string, unknown>;
  /** The module that exports it, when not `auto/workloads.mjs`. */
  readonly module?: URL;
  /**
   * Every input is `submit`ted at once and awaited together (`Promise.all`), as a program
   * with all its work at hand often does, instead of read by a `map` as room opens.
   */
  readonly submitted?: boolean;
  /**
   * Read by `map`, whose outputs come in input order — most programs' way — instead of
   * `mapSettled`, which yields each outcome as it comes: a slow input then holds the ones
   * done after it.
   */
  readonly ordered?: boolean;
  /** The task's export, when not the workload's name. */
  readonly export?: string;
}

/** The large input of `bigInput`: one 256 KB string, copied into every message that carries it. */
const BIG = 'x'.repeat(256 * 1024);

const WORKLOADS: readonly Workload[] = [
  { name: 'hash', inputs: 2_000, what: 'SHA-256 of 1 MB, node:crypto (~1 ms)' },
  { name: 'json', inputs: 10_000, what: 'build, stringify, parse a 100-field record' },
  { name: 'http', inputs: 1_000, what: 'HTTP GET, 30 ms, server takes 32 at once', waiting: true },
  { name: 'heavyTail', inputs: 1_000, what: 'CPU: 95% 0.5 ms, 5% 40 ms' },
  { name: 'waitCompute', inputs: 600, what: 'wait 8 ms, then compute 4 ms' },
  { name: 'zlib', inputs: 3_000, what: 'async gzip of 64 KB (libuv pool)', waiting: true },
  { name: 'fsRead', inputs: 20_000, what: 'read a 4 KB file (libuv pool)', waiting: true },
  {
    name: 'digest',
    inputs: 3_000,
    what: 'WebCrypto SHA-256 of 256 KB (libuv pool)',
    waiting: true,
  },
  { name: 'timers', inputs: 1_000, what: 'timer wait of 5–80 ms', waiting: true },
  {
    name: 'paretoWaits',
    inputs: 2_000,
    what: 'heavy-tailed wait, 5 ms to 0.8 s (Pareto)',
    waiting: true,
  },
  {
    name: 'inOrder',
    inputs: 2_000,
    what: 'paretoWaits, its results in input order',
    waiting: true,
    ordered: true,
    export: 'paretoWaits',
  },
  { name: 'waitBrief', inputs: 6_000, what: 'wait 5 ms, then compute 0.15 ms', waiting: true },
  {
    name: 'apiReplies',
    inputs: 1_000,
    what: 'API reply after 20–200 ms, parsed for 0.5 ms',
    waiting: true,
  },
  { name: 'db', inputs: 2_000, what: 'query via a pool of 8 connections, 5 ms', waiting: true },
  {
    name: 'bigInput',
    inputs: 1_000,
    what: 'checksum of a 256 KB string input (~1 ms)',
    input: (n) => ({ n, data: BIG }),
  },
  {
    name: 'phase',
    inputs: 1_000,
    what: 'first half waits 20 ms, second half computes 5 ms',
    input: (n, count) => ({ n, half: count / 2 }),
  },
  { name: 'mixed', inputs: 200, what: 'compute 10 ms, then wait 10 ms' },
  { name: 'slowReplies', inputs: 300, what: 'a reply after 100 ms', waiting: true },
  { name: 'fetchThenParse', inputs: 100, what: 'wait 50 ms, then compute 20 ms' },
  { name: 'tiny', inputs: 20_000, what: '~10 µs of arithmetic' },
  { name: 'short', inputs: 20_000, what: '~100 µs of arithmetic' },
  { name: 'fewLong', inputs: 8, what: '~250 ms of arithmetic each' },
  { name: 'asyncCpu', inputs: 1_500, what: 'async function computing ~1 ms' },
  { name: 'yielding', inputs: 2_000, what: '3 ms of arithmetic, yielding 10 times' },
  { name: 'render', inputs: 1_000, what: '~1 ms of arithmetic, a 128 KB result' },
  { name: 'blocking', inputs: 600, what: 'a synchronous call blocking 2 ms' },
  {
    name: 'slowImport',
    inputs: 2_000,
    what: '~0.4 ms of arithmetic, in a module that takes 0.2 s to import',
    module: new URL('./auto/slow-import.mjs', import.meta.url),
  },
  { name: 'bufferWait', inputs: 1_000, what: 'fill a 4 MB buffer, hold it through a 30 ms wait' },
  {
    name: 'lazyInit',
    inputs: 4_000,
    what: 'first call builds a table (300 ms), then each waits 5 ms',
    waiting: true,
  },
  {
    name: 'burst',
    inputs: 5_000,
    what: 'wait 5–15 ms, every task submitted at once',
    waiting: true,
    submitted: true,
  },
];

interface Mode {
  readonly label: string;
  readonly options: ExecutorOptions;
}

const MODES: readonly Mode[] = [
  { label: 'sync', options: { mode: 'sync' } },
  { label: 'loop64', options: { mode: 'loop', concurrency: 64 } },
  { label: 'loop512', options: { mode: 'loop', concurrency: 512 } },
  { label: 'threads', options: { mode: 'threads' } },
  { label: 'threads×8', options: { mode: 'threads', tasksPerWorker: 8 } },
  { label: 'processes', options: { mode: 'processes' } },
  { label: 'auto', options: { mode: 'auto' } },
];

interface Timed {
  readonly ms: number;
  readonly decision?: Decision;
}

/** One measurement, in this (fresh) process: what `bench/auto.ts WORKLOAD MODE` prints. */
async function timeOnce(workload: Workload, mode: Mode): Promise<Timed> {
  const dist = new URL('../dist/index.js', import.meta.url).href;
  const { createExecutor, task } = (await import(dist)) as typeof import('../src/index.js');
  const count = workload.inputs * SCALE;
  const inputs = Array.from({ length: count }, (_, n) => workload.input?.(n, count) ?? { n });
  const started = performance.now();
  const ex = createExecutor(mode.options);
  let sum = 0;
  const run = task<unknown, number | { n: number }>(
    workload.module ?? TASKS,
    workload.export ?? workload.name,
  );
  const add = (value: number | { n: number }) => {
    sum += typeof value === 'number' ? value : value.n;
  };
  if (workload.submitted) {
    for (const value of await Promise.all(inputs.map((input) => ex.submit(run, input)))) add(value);
  } else if (workload.ordered) {
    for await (const value of ex.map(run, inputs)) add(value);
  } else {
    for await (const s of ex.mapSettled(run, inputs)) {
      if (!s.ok) throw new Error(`input ${s.index} failed: ${s.error.message}`);
      add(s.value);
    }
  }
  await ex.close();
  const ms = performance.now() - started;
  if (sum !== (count * (count - 1)) / 2) throw new Error('wrong results');
  return { ms, ...(ex.decision ? { decision: ex.decision } : {}) };
}

/** Runs {@link timeOnce} in a fresh process (the same loader flags, this file). */
function timeInChild(workload: Workload, mode: Mode, env: NodeJS.ProcessEnv): Timed {
  const script = fileURLToPath(import.meta.url);
  const { stdout, stderr, status } = spawnSync(
    process.execPath,
    [...process.execArgv, script, workload.name, mode.label],
    { encoding: 'utf8', timeout: 600_000, env: { ...process.env, ...env } },
  );
  const line = stdout.trim().split('\n').at(-1);
  if (status !== 0 || !line?.startsWith('{'))
    throw new Error(`${workload.name} under ${mode.label} failed: ${stderr}`);
  return JSON.parse(line) as Timed;
}

const [childWorkload, childMode] = process.argv.slice(2);
if (childWorkload !== undefined) {
  const workload = WORKLOADS.find((w) => w.name === childWorkload);
  const mode = MODES.find((m) => m.label === childMode);
  if (!workload || !mode)
    throw new Error(`usage: auto.ts WORKLOAD MODE (${childWorkload} ${childMode})`);
  console.log(JSON.stringify(await timeOnce(workload, mode)));
  process.exit(0);
}

/** Only the names listed in `variable` (comma-separated), or all. */
function chosen<T>(all: readonly T[], variable: string, name: (t: T) => string): readonly T[] {
  const wanted = process.env[variable]?.split(',');
  return wanted ? all.filter((t) => wanted.includes(name(t))) : all;
}

/** A directory of a thousand 4 KB files for `fsRead`. */
function makeFiles(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-auto-'));
  mkdirSync(dir, { recursive: true });
  const content = 'y'.repeat(4096);
  for (let i = 0; i < 1_000; i++) writeFileSync(join(dir, `${i}.txt`), content);
  return dir;
}

/** Starts the servers' process and resolves with it and its URL. */
async function startServers(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [SERVERS], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) return { child, url: (JSON.parse(line) as { url: string }).url };
  throw new Error('the bench servers exited before listening');
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function chose(d: Decision | undefined): string {
  if (!d) return '?';
  return d.mode === 'threads' ? `threads ×${d.tasksPerWorker ?? 1}` : `${d.mode} ${d.concurrency}`;
}

const workloads = chosen(WORKLOADS, 'WORKLOADS', (w) => w.name);
const modes = chosen(MODES, 'MODES', (m) => m.label);
const fixed = modes.filter((m) => m.label !== 'auto');
const began = performance.now();
const loadAtStart = loadavg()[0]!;
const files = makeFiles();
const servers = await startServers();
const env = { BENCH_SERVER: servers.url, BENCH_FILES: files };
const times = new Map<string, number[]>();
const decisions = new Map<string, Decision>();
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const workload of workloads) {
      // Each round starts at another mode, so that none always runs right after the same one.
      for (const mode of modes.map((_, i) => modes[(i + round) % modes.length]!)) {
        const { ms, decision } = timeInChild(workload, mode, env);
        const key = `${workload.name}/${mode.label}`;
        times.set(key, [...(times.get(key) ?? []), ms]);
        if (decision) decisions.set(workload.name, decision);
      }
    }
    process.stderr.write(`round ${round}/${ROUNDS} done\n`);
  }
} finally {
  servers.child.kill('SIGTERM');
  rmSync(files, { recursive: true, force: true });
}

const cell = (ms: number, best: number) => `${ms.toFixed(0)} ms (${(ms / best).toFixed(2)}×)`;
const header = ['workload', ...modes.map((m) => m.label), 'auto chose', 'auto ÷ best fixed'];
const misses: string[] = [];
const slowWaits: string[] = [];
let waitingChecked = 0;
const rows = workloads.map((w) => {
  const med = new Map(modes.map((m) => [m.label, median(times.get(`${w.name}/${m.label}`)!)]));
  const best = Math.min(...fixed.map((m) => med.get(m.label)!));
  const auto = med.get('auto');
  const ratio = auto === undefined ? undefined : auto / best;
  if (ratio !== undefined && ratio > TARGET) misses.push(`${w.name} ${ratio.toFixed(2)}×`);
  const loop64 = med.get('loop64');
  if (w.waiting && auto !== undefined && loop64 !== undefined && loop64 >= WAITING_AT_LEAST_MS) {
    waitingChecked++;
    if (auto > TARGET * loop64) slowWaits.push(`${w.name} ${(auto / loop64).toFixed(2)}×`);
  }
  return [
    `${w.name} (${(w.inputs * SCALE).toLocaleString('en')} × ${w.what})`,
    ...modes.map((m) => cell(med.get(m.label)!, best)),
    chose(decisions.get(w.name)),
    ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
  ];
});

const minutes = ((performance.now() - began) / 60_000).toFixed(1);
console.log(
  `bench:auto — median of ${ROUNDS} rounds, each run in a fresh process; ratios are to the best fixed mode. ` +
    `${minutes} min; load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.\n`,
);
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
if (modes.some((m) => m.label === 'auto')) {
  console.log(
    `\nauto ≤ ${TARGET}× the best fixed mode: ${workloads.length - misses.length} of ${workloads.length}${misses.length ? ` — NOT on ${misses.join(', ')}` : ''}`,
  );
  console.log(
    `auto ≤ ${TARGET}× loop at 64 on waiting work of ${WAITING_AT_LEAST_MS / 1000} s or more: ${waitingChecked - slowWaits.length} of ${waitingChecked}${slowWaits.length ? ` — NOT on ${slowWaits.join(', ')}` : ''}`,
  );
  for (const w of workloads) {
    const d = decisions.get(w.name);
    if (d) console.log(`\n${w.name}: ${chose(d)} after ${d.history.length} moves — ${d.reason}`);
  }
}

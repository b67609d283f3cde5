/**
 * `npm run bench:distributed` — the `distributed` executor against what it must be
 * compared with, in one run, on a throwaway local Redis:
 *
 * (a) overhead: the classic CPU job (exact sum of squares) over 2 local
 *     `switchyard worker` processes vs the local `threads` executor with 2 workers; the
 *     ratio of wall times (target ≤ 1.15×). Every result is checked against the closed form.
 * (b) throughput: 100,000 tiny tasks through `map` (tasks/s), vs BullMQ's own
 *     one-job-per-task rate on the same Redis: 2 plain BullMQ worker processes, jobs added
 *     with `addBulk` and completions read from `QueueEvents` (target ≥ 5×).
 *
 * Like the other benchmarks it measures the compiled package (`dist/`, built by the npm
 * script). Run it alone: `flock /tmp/switchyard-bench.lock npm run bench:distributed`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../test/support/redis.js';

const dist = (path: string) => new URL(`../dist/${path}`, import.meta.url);
const { createExecutor } = (await import(
  dist('index.js').href
)) as typeof import('../src/index.js');
const cpu = (await import(
  dist('bench/jobs/cpu.js').href
)) as typeof import('../src/bench/jobs/cpu.js');

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const CPU_TASKS = 24;
const CPU_N = cpu.MAX_SUM_OF_SQUARES_N;
const TINY_TASKS = 100_000;
const BULLMQ_JOBS = Number(process.env.BULLMQ_JOBS ?? 20_000);
const BULLMQ_CONCURRENCY = 50;

if (process.argv[2] === '--bullmq-worker') await plainBullmqWorker(process.argv[3]!);
else await main();

async function main(): Promise<void> {
  const redis = await startRedis();
  const workers = [workerProcess(redis.url), workerProcess(redis.url)];
  try {
    await Promise.all(workers.map((child) => serving(child)));
    await using distributed = createExecutor({ mode: 'distributed', connection: redis.url });
    await using threads = createExecutor({ mode: 'threads', workers: 2 });

    const cpuInputs = Array.from({ length: CPU_TASKS }, (_, i) => CPU_N - i);
    const expected = cpuInputs.map((n) => cpu.sumOfSquaresFormula(n).toString());
    const cpuRun = (ex: typeof threads) => async () => {
      const outputs: string[] = [];
      for await (const output of ex.map(cpu.sumOfSquaresTask, cpuInputs)) outputs.push(output);
      if (outputs.join() !== expected.join()) throw new Error('a CPU result is wrong');
    };
    await cpuRun(threads)(); // warm both: workers started, module loaded, chunk sizes learnt
    await cpuRun(distributed)();
    const cpuTimes = await alternate({
      threads: cpuRun(threads),
      distributed: cpuRun(distributed),
    });
    const threadsMs = median(cpuTimes.threads ?? []);
    const distributedMs = median(cpuTimes.distributed ?? []);
    console.log(
      `(a) CPU job, ${CPU_TASKS} × sumOfSquares(${CPU_N}), median of ${ROUNDS}:` +
        `\n    threads (2 workers)            ${fmt(threadsMs)} ms` +
        `\n    distributed (2 worker processes) ${fmt(distributedMs)} ms` +
        `\n    overhead ratio ${(distributedMs / threadsMs).toFixed(3)}× (target ≤ 1.15×)`,
    );

    const tinyInputs = Array.from({ length: TINY_TASKS }, (_, i) => i % 100);
    const tinyRun = async () => {
      let count = 0;
      for await (const _ of distributed.map(cpu.sumOfSquaresTask, tinyInputs)) count++;
      if (count !== TINY_TASKS) throw new Error(`${count} results for ${TINY_TASKS} inputs`);
    };
    const tinyTimes: number[] = [];
    for (let round = 0; round < Math.min(ROUNDS, 3); round++) tinyTimes.push(await timed(tinyRun));
    const switchyardRate = TINY_TASKS / (median(tinyTimes) / 1000);

    for (const child of workers) await stop(child);
    const bullmqRate = await bullmqBaseline(redis.url);
    console.log(
      `(b) ${TINY_TASKS.toLocaleString('en')} tiny tasks through map, median of ${tinyTimes.length}:` +
        `\n    switchyard distributed map     ${fmt(switchyardRate)} tasks/s` +
        `\n    BullMQ, one job per task       ${fmt(bullmqRate)} tasks/s (${BULLMQ_JOBS.toLocaleString('en')} jobs, 2 workers × concurrency ${BULLMQ_CONCURRENCY})` +
        `\n    ratio ${(switchyardRate / bullmqRate).toFixed(1)}× (target ≥ 5×)`,
    );
  } finally {
    for (const child of workers) await stop(child);
    await redis.stop();
  }
}

/** A `switchyard worker` serving the CPU job module, one task at a time (one core). */
function workerProcess(url: string): ChildProcess {
  return spawn(
    process.execPath,
    [
      fileURLToPath(dist('cli/main.js')),
      'worker',
      '--connection',
      url,
      '--tasks',
      fileURLToPath(dist('bench/jobs/cpu.js')),
      '--workers',
      '1',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

async function serving(child: ChildProcess): Promise<void> {
  let text = '';
  for await (const chunk of child.stderr!) {
    text += String(chunk);
    if (text.includes(': serving ')) return;
  }
  throw new Error(`worker exited before serving:\n${text}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** BullMQ as its docs show it: one job per task, 2 worker processes, results from QueueEvents. */
async function bullmqBaseline(url: string): Promise<number> {
  const { Queue, QueueEvents } = await import('bullmq');
  const { port } = new URL(url);
  const connection = { host: '127.0.0.1', port: Number(port) };
  const queue = new Queue('bullmq-baseline', { connection });
  const events = new QueueEvents('bullmq-baseline', { connection });
  await events.waitUntilReady();
  const workers = [1, 2].map(() =>
    spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--bullmq-worker', url],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    ),
  );
  try {
    await Promise.all(workers.map((child) => serving(child)));
    let completed = 0;
    const done = new Promise<void>((resolve) => {
      events.on('completed', () => {
        if (++completed === BULLMQ_JOBS) resolve();
      });
    });
    const ms = await timed(async () => {
      for (let from = 0; from < BULLMQ_JOBS; from += 1_000) {
        const batch = Array.from({ length: Math.min(1_000, BULLMQ_JOBS - from) }, (_, i) => ({
          name: 'sumOfSquares',
          data: (from + i) % 100,
          opts: { removeOnComplete: true },
        }));
        await queue.addBulk(batch);
      }
      await done;
    });
    return BULLMQ_JOBS / (ms / 1000);
  } finally {
    for (const child of workers) await stop(child);
    await events.close();
    await queue.close();
  }
}

async function plainBullmqWorker(url: string): Promise<void> {
  const { Worker } = await import('bullmq');
  const { port } = new URL(url);
  const worker = new Worker(
    'bullmq-baseline',
    async (job) => cpu.sumOfSquares(job.data as number),
    {
      connection: { host: '127.0.0.1', port: Number(port) },
      concurrency: BULLMQ_CONCURRENCY,
    },
  );
  await worker.waitUntilReady();
  process.stderr.write('bullmq worker: serving \n');
  process.once('SIGTERM', () => {
    worker.close().then(() => process.exit(0));
  });
}

/** Runs each contender `ROUNDS` times, rotating who goes first; returns the wall times. */
async function alternate(
  contenders: Record<string, () => Promise<void>>,
): Promise<Record<string, number[]>> {
  const names = Object.keys(contenders);
  const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      times[name]!.push(await timed(contenders[name]!));
    }
  }
  return times;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en');
}

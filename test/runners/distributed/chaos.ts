/**
 * The distributed chaos run: a real Redis, 3 `switchyard worker` processes and one
 * executor mapping many inputs, while
 * - one worker is SIGKILLed every few seconds and a new one started in its place;
 * - Redis is SIGKILLed once and back 2 s later (with AOF, or with no persistence at all);
 * - the executor's own event loop is blocked for 5 s once;
 * - BullMQ keeps only ~100 events of the queue's stream, so most are trimmed unread.
 * It reports what came back: every input once, right or with a typed error, and no hang.
 *
 * `chaos.test.ts` runs a light version in `npm test`; the full one (20,000 inputs) is
 *   node --import tsx test/runners/distributed/chaos.ts [--inputs N] [--persistence aof|none]
 */
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createExecutor, task } from '../../../src/index.js';
import { type RedisServer, startRedis } from '../../support/redis.js';
import { JOBS_MODULE, spawnWorker, type WorkerProcess } from '../../support/worker.js';
import { blockEventLoop } from './checks.js';

const slowSquare = task<{ n: number; ms: number }, number>(JOBS_MODULE, 'slowSquare');

export interface ChaosPlan {
  readonly inputs: number;
  /** ms each input takes on a worker. */
  readonly taskMs: number;
  readonly persistence: 'aof' | 'none';
  /** The executor's `concurrency`: inputs in flight at once. @default the executor's own */
  readonly concurrency?: number;
  /** A worker is killed and replaced this often. */
  readonly killEveryMs: number;
  /** How long Redis stays down. */
  readonly redisDownMs: number;
  /** How long the executor's loop is blocked. */
  readonly blockMs: number;
  /** Where progress lines go. */
  readonly log?: (line: string) => void;
}

export interface ChaosReport {
  readonly plan: Omit<ChaosPlan, 'log'>;
  /** Inputs yielded at least once. */
  readonly settled: number;
  /** Inputs yielded with the right value. */
  readonly ok: number;
  /** Inputs yielded with a wrong value. */
  readonly wrong: number;
  /** Yields of an input already yielded. */
  readonly duplicates: number;
  /** Failed inputs, by error name. */
  readonly failed: Readonly<Record<string, number>>;
  /** One message per error name, to show why. */
  readonly why: Readonly<Record<string, string>>;
  readonly workersKilled: number;
  /** The executor's `stats().retried`: jobs run again after their worker died. */
  readonly retried: number;
  readonly wallMs: number;
}

/** Stream length BullMQ is told to keep: far less than the events of one run. */
const EVENTS_KEPT = 100;

export async function runChaos(plan: ChaosPlan): Promise<ChaosReport> {
  const log = plan.log ?? (() => {});
  const redis = await startRedis({ persistence: plan.persistence });
  const workers = await Promise.all([0, 1, 2].map(() => startWorker(redis.url)));
  let workersKilled = 0;
  let running = true;
  try {
    await using ex = createExecutor({
      mode: 'distributed',
      connection: redis.url,
      retries: 3,
      ...(plan.concurrency === undefined ? {} : { concurrency: plan.concurrency }),
    });
    await ex.submit(slowSquare, { n: 0, ms: 0 });
    await keepFewEvents(redis);

    // One worker killed and replaced every few seconds, round the three, until the end.
    const killing = (async () => {
      for (let next = 0; running; next = (next + 1) % workers.length) {
        await sleep(plan.killEveryMs);
        if (!running) break;
        await workers[next]!.kill();
        workersKilled++;
        log(`killed worker ${next} (${workersKilled} so far)`);
        workers[next] = await startWorker(redis.url);
      }
    })();

    const inputs = Array.from({ length: plan.inputs }, (_, n) => ({ n, ms: plan.taskMs }));
    const seen = new Set<number>();
    const failed: Record<string, number> = {};
    const why: Record<string, string> = {};
    let ok = 0;
    let wrong = 0;
    let duplicates = 0;
    let restarting: Promise<void> | undefined;
    const started = performance.now();
    for await (const outcome of ex.mapSettled(slowSquare, inputs)) {
      if (seen.has(outcome.index)) duplicates++;
      seen.add(outcome.index);
      if (!outcome.ok) {
        failed[outcome.error.name] = (failed[outcome.error.name] ?? 0) + 1;
        why[outcome.error.name] ??= outcome.error.message;
      } else if (outcome.value === outcome.index ** 2) ok++;
      else wrong++;
      if (seen.size % Math.ceil(plan.inputs / 10) === 0) {
        log(`${seen.size} settled after ${Math.round((performance.now() - started) / 1000)} s`);
      }
      if (seen.size === Math.floor(plan.inputs / 4) && !restarting) {
        log(`${seen.size} settled: Redis SIGKILLed, back in ${plan.redisDownMs} ms`);
        restarting = redis.restart(plan.redisDownMs).then(() => keepFewEvents(redis));
      }
      if (seen.size === Math.floor((plan.inputs * 3) / 5)) {
        log(`${seen.size} settled: the executor's loop blocked for ${plan.blockMs} ms`);
        blockEventLoop(plan.blockMs);
      }
    }
    const wallMs = performance.now() - started;
    running = false;
    await restarting;
    await killing;
    return {
      plan: withoutLog(plan),
      settled: seen.size,
      ok,
      wrong,
      duplicates,
      failed,
      why,
      workersKilled,
      retried: ex.stats().retried,
      wallMs,
    };
  } finally {
    running = false;
    await Promise.all(workers.map((worker) => worker.kill()));
    await redis.stop();
  }
}

/** A worker serving the jobs module with one local thread; retried while Redis is down. */
async function startWorker(url: string): Promise<WorkerProcess> {
  for (;;) {
    try {
      return await spawnWorker(url, ['--workers', '1']);
    } catch {
      await sleep(500);
    }
  }
}

/** BullMQ reads this from the queue's meta hash each time it trims; a Redis without persistence forgets it. */
async function keepFewEvents(server: RedisServer): Promise<void> {
  const client = new Redis(server.url, { maxRetriesPerRequest: null });
  try {
    await client.hset('bull:switchyard:meta', 'opts.maxLenEvents', EVENTS_KEPT);
  } finally {
    client.disconnect();
  }
}

function withoutLog({ log: _, ...plan }: ChaosPlan): Omit<ChaosPlan, 'log'> {
  return plan;
}

/** The full run, from the command line. */
async function main(argv: readonly string[]): Promise<void> {
  const flag = (name: string) => {
    const at = argv.indexOf(`--${name}`);
    return at === -1 ? undefined : argv[at + 1];
  };
  const runs = flag('persistence')
    ? [flag('persistence') as 'aof' | 'none']
    : (['aof', 'none'] as const);
  for (const persistence of runs) {
    const report = await runChaos({
      inputs: Number(flag('inputs') ?? 20_000),
      taskMs: Number(flag('task-ms') ?? 2),
      persistence,
      killEveryMs: 3_000,
      redisDownMs: 2_000,
      blockMs: 5_000,
      log: (line) => console.error(`[${persistence}] ${line}`),
    });
    console.log(JSON.stringify(report, null, 2));
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}

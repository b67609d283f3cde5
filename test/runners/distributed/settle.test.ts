/**
 * Every distributed task settles — with its result, or with an error that names what
 * happened — whatever the event stream and Redis do: events trimmed before the executor
 * read them, a job removed behind its back, Redis restarted with or without its data.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import {
  createExecutor,
  JobFailedError,
  type Settled,
  TaskLostError,
  task,
} from '../../../src/index.js';
import { type RedisServer, redisSkip, startRedis } from '../../support/redis.js';
import { JOBS_MODULE, startCluster } from '../../support/worker.js';
import { blockEventLoop, settleAll, submitApart } from './checks.js';

const square = task<number, number>(JOBS_MODULE, 'square');
const slowSquare = task<{ n: number; ms: number }, number>(JOBS_MODULE, 'slowSquare');
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const TWO_THREADS = { args: ['--workers', '2'] };

/** Makes BullMQ keep only about `maxLen` events of the queue's stream (`streams.events.maxLen`). */
async function trimEventsTo(server: RedisServer, maxLen: number): Promise<void> {
  const redis = new Redis(server.url);
  try {
    await redis.hset('bull:switchyard:meta', 'opts.maxLenEvents', maxLen);
  } finally {
    redis.disconnect();
  }
}

/** Checks that `results` are the squares of their inputs, all fulfilled. */
function assertSquares(results: PromiseSettledResult<number>[], inputs: readonly number[]): void {
  const wrong = results.flatMap((result, i) =>
    result.status === 'fulfilled' && result.value === inputs[i]! ** 2
      ? []
      : [`${i}: ${result.status === 'fulfilled' ? result.value : String(result.reason)}`],
  );
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} wrong`);
}

describe('distributed: results whose events were trimmed away are read back from Redis', {
  skip: redisSkip,
  timeout: 300_000,
}, () => {
  it('an executor whose loop is blocked ~4 s while 2 workers finish 6,000 one-task jobs settles every promise', async (t) => {
    const { redis } = await startCluster(t, [TWO_THREADS, TWO_THREADS]);
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    assert.equal(await ex.submit(square, 3), 9);
    await trimEventsTo(redis, 20);

    const inputs = range(6_000);
    const promises = await submitApart(ex, square, inputs);
    blockEventLoop(4_000);
    assertSquares(await settleAll(promises), inputs);
    assert.equal(ex.stats().completed, 6_001);
  });

  it('two executors sharing one queue, default options, settle all 7,000 of theirs', async (t) => {
    const { redis } = await startCluster(t, [TWO_THREADS, TWO_THREADS]);
    await using one = createExecutor({ mode: 'distributed', connection: redis.url });
    await using two = createExecutor({ mode: 'distributed', connection: redis.url });
    const inputs = range(3_500);
    const [a, b] = await Promise.all([
      submitApart(one, square, inputs),
      submitApart(two, square, inputs),
    ]);
    const [resultsA, resultsB] = await Promise.all([settleAll(a), settleAll(b)]);
    assertSquares(resultsA, inputs);
    assertSquares(resultsB, inputs);
  });
});

describe('distributed: a job that vanished from Redis is a TaskLostError, never a hang', {
  skip: redisSkip,
  timeout: 300_000,
}, () => {
  it('a job removed behind the executor’s back: TaskLostError naming the job', async (t) => {
    // No worker: the job waits in the queue until it is flushed away.
    const { redis } = await startCluster(t, []);
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const waiting = ex.submit(square, 2).catch((error: unknown) => error);
    const client = new Redis(redis.url);
    t.after(() => client.disconnect());
    while ((await client.zcard('bull:switchyard:prioritized')) === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await client.flushall();
    const error = await waiting;
    assert.ok(error instanceof TaskLostError, String(error));
    assert.equal(error.code, 'ERR_TASK_LOST');
    assert.match(error.jobId, /^[0-9a-f]{12}-1$/);
    assert.match(
      error.message,
      /job [0-9a-f]{12}-1 vanished from Redis: Redis has no record of it/,
    );
    assert.match(error.message, /may or may not have run/);
  });

  for (const persistence of ['none', 'aof'] as const) {
    const what =
      persistence === 'none'
        ? 'Redis restarted without persistence: every task settles, those in flight with TaskLostError; map rejects with it'
        : 'Redis restarted with AOF: every task completes, exactly once';
    it(what, async (t) => {
      const { redis } = await startCluster(t, [TWO_THREADS, TWO_THREADS], { persistence });
      await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
      const inputs = range(3_000).map((n) => ({ n, ms: 2 }));

      const seen = new Map<number, Settled<number>>();
      let restarting: Promise<void> | undefined;
      for await (const outcome of ex.mapSettled(slowSquare, inputs)) {
        assert.ok(!seen.has(outcome.index), `index ${outcome.index} yielded twice`);
        seen.set(outcome.index, outcome);
        if (seen.size === 1_000) restarting = redis.restart(2_000);
      }
      await restarting;
      assert.equal(seen.size, inputs.length, 'every input settled');
      const lost = [...seen.values()].filter((outcome) => !outcome.ok);
      for (const outcome of seen.values()) {
        if (outcome.ok) assert.equal(outcome.value, outcome.index ** 2);
        else {
          assert.ok(outcome.error instanceof TaskLostError, String(outcome.error));
          assert.match(outcome.error.message, /Redis restarted after it was added/);
        }
      }
      if (persistence === 'aof') {
        assert.equal(lost.length, 0, 'nothing lost with AOF');
        return;
      }
      assert.ok(lost.length > 0, 'the jobs in flight at the restart were lost');

      // The same fault under `map`: it ends, rejecting with the loss.
      const error = await (async () => {
        let yielded = 0;
        for await (const _ of ex.map(slowSquare, inputs)) {
          if (++yielded === 1_000) restarting = redis.restart(2_000);
        }
      })().catch((e: unknown) => e);
      await restarting;
      assert.ok(error instanceof TaskLostError, String(error));
    });
  }
});

describe('distributed: a job a worker fails as a whole', {
  skip: redisSkip,
  timeout: 120_000,
}, () => {
  it('settles its task with JobFailedError naming the reason (a worker of another protocol)', async (t) => {
    const redis = await startRedis();
    const connection = { host: '127.0.0.1', port: redis.port };
    // A worker of some other switchyard version: it refuses every job as one it cannot read.
    const other = new Worker(
      'switchyard',
      async () => {
        throw new UnrecoverableError('job: unsupported protocol version 3 (this worker speaks 99)');
      },
      { connection },
    );
    // The worker first: closing it needs Redis.
    t.after(async () => {
      await other.close();
      await redis.stop();
    });
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const error = await ex.submit(square, 3).then(
      () => assert.fail('the task should have failed'),
      (reason: unknown) => reason,
    );
    assert.ok(error instanceof JobFailedError, String(error));
    assert.equal(error.code, 'ERR_JOB_FAILED');
    assert.match(error.message, /unsupported protocol version 3/);
    assert.match(error.message, /same switchyard version/);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import {
  createExecutor,
  RedisConnectionError,
  SerializationError,
  type Settled,
  TaskError,
  TaskNotFoundError,
  TimeoutError,
  task,
  WorkerCrashedError,
} from '../../../src/index.js';
import { type RedisServer, redisSkip, startRedis } from '../../support/redis.js';
import {
  JOBS_MODULE,
  spawnWorker,
  startCluster,
  type WorkerProcess,
} from '../../support/worker.js';

const square = task<number, number>(JOBS_MODULE, 'square');
const squareWhere = task<{ n: number; ms: number }, [number, number]>(JOBS_MODULE, 'squareWhere');
const fail = task<string, never>(JOBS_MODULE, 'fail');
const hang = task<unknown, never>(JOBS_MODULE, 'hang');
const sumBig = task<bigint[], bigint>(JOBS_MODULE, 'sumBig');
const report = task<number, number>(JOBS_MODULE, 'report');
const squareOrFail = task<number | string, number>(JOBS_MODULE, 'squareOrFail');
const failOrHang = task<string, never>(JOBS_MODULE, 'failOrHang');
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Runs `work` and counts the BullMQ jobs added to the queue meanwhile, from its event stream. */
async function jobsAddedDuring(url: string, work: () => Promise<void>): Promise<number> {
  const redis = new Redis(url);
  try {
    const stream = 'bull:switchyard:events';
    const [[before] = []] = await redis.xrevrange(stream, '+', '-', 'COUNT', 1);
    await work();
    const entries = await redis.xrange(stream, before === undefined ? '-' : `(${before}`, '+');
    return entries.filter(([, fields]) => fields[fields.indexOf('event') + 1] === 'added').length;
  } finally {
    redis.disconnect();
  }
}

describe('distributed executor over two `switchyard worker` processes', {
  skip: redisSkip,
  timeout: 180_000,
}, () => {
  let redis: RedisServer;
  let workers: WorkerProcess[] = [];

  before(async () => {
    redis = await startRedis();
    workers = await Promise.all([
      spawnWorker(redis.url, ['--workers', '4']),
      spawnWorker(redis.url, ['--workers', '4']),
    ]);
  });
  after(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    await redis?.stop();
  });

  it('maps 1,000 inputs in input order, spread over both workers', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const inputs = range(1_000).map((n) => ({ n, ms: 1 }));
    const values: number[] = [];
    const pids = new Set<number>();
    for await (const [value, pid] of ex.map(squareWhere, inputs)) {
      values.push(value);
      pids.add(pid);
    }
    assert.deepEqual(
      values,
      range(1_000).map((n) => n * n),
    );
    assert.deepEqual(
      [...pids].sort(),
      workers.map((worker) => worker.child.pid).sort(),
      'both worker processes ran jobs',
    );
    assert.equal(ex.stats().completed, 1_000);
  });

  it('a map of 1,000 small inputs goes out as far fewer BullMQ jobs, one per chunk', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const values: number[] = [];
    const jobs = await jobsAddedDuring(redis.url, async () => {
      for await (const value of ex.map(square, range(1_000))) values.push(value);
    });
    assert.deepEqual(
      values,
      range(1_000).map((n) => n * n),
    );
    assert.ok(jobs >= 1 && jobs <= 100, `${jobs} jobs for 1,000 inputs`);
  });

  it('mapSettled: an input that fails inside a chunk fails alone; its chunk-mates succeed', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const inputs: (number | string)[] = range(200);
    inputs[37] = 'boom';
    inputs[151] = 'bang';
    const outcomes: Settled<number>[] = [];
    const jobs = await jobsAddedDuring(redis.url, async () => {
      for await (const outcome of ex.mapSettled(squareOrFail, inputs)) {
        outcomes[outcome.index] = outcome;
      }
    });
    assert.ok(jobs <= 50, `${jobs} jobs for 200 inputs: chunks of several inputs`);
    outcomes.forEach((outcome, index) => {
      if (index === 37 || index === 151) {
        assert.ok(!outcome.ok && outcome.error instanceof TaskError, `input ${index} failed`);
        assert.match(outcome.error.message, /TypeError: not a number: (boom|bang)/);
      } else {
        assert.deepEqual(outcome, { index, ok: true, value: index * index });
      }
    });
    assert.equal(outcomes.filter(Boolean).length, 200, 'every input settled once');
    assert.deepEqual([ex.stats().completed, ex.stats().failed], [198, 2]);
  });

  it('stats().workers counts the worker processes serving the queue from the first task on', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    assert.equal(ex.stats().workers, 0, 'not connected yet');
    await ex.submit(square, 2);
    assert.equal(ex.stats().workers, 2);
  });

  it('submit resolves with the task’s output; structured data (bigint) round-trips', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    assert.equal(await ex.submit(square, 12), 144);
    assert.equal(await ex.submit(sumBig, [2n ** 70n, 1n]), 2n ** 70n + 1n);
  });

  it('an input or output that cannot travel is a SerializationError naming where; the rest run', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const settled = [];
    for await (const outcome of ex.mapSettled(square, [2, { f: () => {} } as never, 4])) {
      settled[outcome.index] = outcome;
    }
    assert.deepEqual([settled[0]?.ok, settled[2]?.ok], [true, true]);
    const bad = settled[1];
    assert.ok(bad && !bad.ok && bad.error instanceof SerializationError, 'input 1 cannot travel');
    assert.equal(bad.error.path, 'input.f');
    const back = await ex
      .submit(task(JOBS_MODULE, 'returnsFunction'), null)
      .catch((e: unknown) => e);
    assert.ok(back instanceof SerializationError, String(back));
    assert.equal(back.path, 'output');
  });

  it('a task that throws rejects with TaskError carrying the task’s own error', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const error = await ex.submit(fail, 'no such page').catch((e: unknown) => e);
    assert.ok(error instanceof TaskError, String(error));
    assert.match(error.message, /RangeError: no such page/);
    assert.ok(error.cause instanceof Error, 'cause is an Error');
    assert.equal(error.cause.name, 'RangeError');
    assert.equal(error.cause.message, 'no such page');
    assert.match(error.cause.stack ?? '', /jobs\.ts/);
  });

  it('mapSettled keeps going past failures and yields every index once', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const seen = new Map<number, boolean>();
    for await (const outcome of ex.mapSettled(fail, ['a', 'b', 'c'])) {
      assert.ok(!outcome.ok && outcome.error instanceof TaskError, `index ${outcome.index}`);
      seen.set(outcome.index, outcome.ok);
    }
    assert.deepEqual([...seen.keys()].sort(), [0, 1, 2]);
  });

  it('an export the module does not have fails with TaskNotFoundError naming what exists', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const missing = task<number, number>(JOBS_MODULE, 'noSuchTask');
    const error = await ex.submit(missing, 1).catch((e: unknown) => e);
    assert.ok(error instanceof TaskNotFoundError, String(error));
    assert.equal(error.exportName, 'noSuchTask');
    assert.match(error.message, /no (function )?export named 'noSuchTask'; it exports .*square/);
    await assert.rejects(async () => {
      for await (const _ of ex.map(missing, range(10))) assert.fail('no input may succeed');
    }, TaskNotFoundError);
  });

  it('a non-function export and a module the workers were not started with are refused', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    await assert.rejects(ex.submit(task(JOBS_MODULE, 'notAFunction'), 1), TaskNotFoundError);
    const elsewhere = task<number, number>(new URL('./other.js', JOBS_MODULE), 'square');
    const error = await ex.submit(elsewhere, 1).catch((e: unknown) => e);
    assert.ok(error instanceof TaskNotFoundError, String(error));
    assert.match(
      error.message,
      /no switchyard worker of queue 'switchyard' runs tasks from switchyard\/test\/fixtures\/distributed\/other\.js: they serve .*switchyard\/test\/fixtures\/distributed\/jobs\.ts/,
    );
  });

  it('a plain function is refused with a TypeError that says what to pass instead', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    await assert.rejects(
      ex.submit((n: number) => n, 1),
      /TypeError|task reference/,
    );
    await assert.rejects(
      ex.submit((n: number) => n, 1),
      (error: unknown) => error instanceof TypeError && /task\(new URL/.test(error.message),
    );
  });

  it('a timeout is enforced on the worker: the task’s signal fires and it rejects with TimeoutError', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url, timeout: 200 });
    const error = await ex.submit(hang, null).catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutError, String(error));
    assert.equal(error.timeoutMs, 200);
  });

  it('ctx.progress reports reach onProgress', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const reports: unknown[] = [];
    assert.equal(await ex.submit(report, 3, { onProgress: (v) => reports.push(v) }), 3);
    assert.deepEqual(reports, [1, 2, 3]);
  });

  it('cancelling a map rejects it with CancelledError and leaves the executor usable', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const controller = new AbortController();
    const inputs = range(200).map((n) => ({ n, ms: 20 }));
    await assert.rejects(async () => {
      for await (const _ of ex.map(squareWhere, inputs, { signal: controller.signal })) {
        controller.abort();
      }
    }, /AbortError|cancel/i);
    assert.equal(await ex.submit(square, 3), 9);
  });
});

describe('distributed: outcomes stream back while their chunk still runs', {
  skip: redisSkip,
  timeout: 120_000,
}, () => {
  it('map rejects with a failure whose chunk-mate never ends, and cancels the rest', async (t) => {
    // Room for every input at once, so that each one runs whatever job it is in.
    const { redis } = await startCluster(t, [
      { args: ['--workers', '2', '--tasks-per-worker', '8'] },
    ]);
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const inputs = ['boom', ...range(8).map(() => 'wait')];
    const jobs = await jobsAddedDuring(redis.url, async () => {
      await assert.rejects(
        async () => {
          for await (const _ of ex.map(failOrHang, inputs)) assert.fail('nothing succeeds');
        },
        (error: unknown) => error instanceof TaskError && /RangeError: boom/.test(error.message),
      );
    });
    assert.ok(jobs < inputs.length, `${jobs} jobs for ${inputs.length} inputs: some shared one`);
    while (ex.stats().running + ex.stats().queued > 0) await sleep(20);
  });
});

describe('distributed: a worker killed mid-run', { skip: redisSkip, timeout: 180_000 }, () => {
  it('its jobs are taken over by the other worker: all 1,000 results exactly once, correct', async (t) => {
    // One job at a time each: while jobs remain, each worker always holds one in hand.
    const one = { args: ['--workers', '1'] };
    const { redis, workers } = await startCluster(t, [one, one]);
    const doomed = workers[0]!;
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });

    const inputs = range(1_000).map((n) => ({ n, ms: 5 }));
    const seen = new Map<number, number>();
    let killed = false;
    const jobs = await jobsAddedDuring(redis.url, async () => {
      for await (const outcome of ex.mapSettled(squareWhere, inputs)) {
        assert.ok(outcome.ok, outcome.ok ? '' : String(outcome.error));
        assert.ok(!seen.has(outcome.index), `index ${outcome.index} yielded twice`);
        seen.set(outcome.index, outcome.value[0]);
        // The first outcome streams back while its chunk still runs: the kill lands mid-chunk,
        // after some of the chunk's outcomes were sent, before the job could complete.
        if (!killed) {
          killed = true;
          await doomed.kill();
        }
      }
    });
    assert.ok(jobs < 100, `${jobs} jobs for 1,000 inputs: chunks`);
    assert.equal(seen.size, 1_000);
    for (const [index, value] of seen) assert.equal(value, index * index);
    assert.equal((await doomed.exited).signal, 'SIGKILL');
    assert.ok(ex.stats().retried >= 1, 'the stalled jobs were counted as retried');
  });
});

describe('distributed: a job that kills every worker that takes it', {
  skip: redisSkip,
  timeout: 180_000,
}, () => {
  it('is taken over retries + 1 times, then fails with WorkerCrashedError instead of killing more workers', async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    // One worker at a time: each time one dies, another starts.
    let keep = true;
    const deaths: (NodeJS.Signals | null)[] = [];
    let current: WorkerProcess | undefined;
    const keeper = (async () => {
      while (keep) {
        current = await spawnWorker(redis.url, ['--workers', '1']);
        const { signal } = await current.exited;
        if (keep) deaths.push(signal);
      }
    })();
    t.after(async () => {
      keep = false;
      await current?.kill();
      await keeper;
    });
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url, retries: 1 });
    const error = await ex
      .submit(task<null, never>(JOBS_MODULE, 'killsItsProcess'), null)
      .catch((e: unknown) => e);
    assert.ok(error instanceof WorkerCrashedError, String(error));
    assert.match(error.message, /stopped 3 times; set `retries` to allow more takeovers/);
    assert.deepEqual(deaths, ['SIGKILL', 'SIGKILL', 'SIGKILL'], 'the first run and 2 takeovers');
  });
});

describe('distributed: Redis failures end in a clear error, never a hang', {
  skip: redisSkip,
  timeout: 120_000,
}, () => {
  it('a wrong password rejects with RedisConnectionError naming the credentials', async (t) => {
    const redis = await startRedis({ password: 'right horse battery' });
    t.after(() => redis.stop());
    await using ex = createExecutor({
      mode: 'distributed',
      connection: redis.urlWithPassword('wrong'),
    });
    const error = await ex.submit(square, 2).catch((e: unknown) => e);
    assert.ok(error instanceof RedisConnectionError, String(error));
    assert.equal(error.reason, 'credentials');
    assert.match(error.message, /refused the credentials.*password/);
    assert.doesNotMatch(error.message, /wrong@/, 'the password is not echoed');
  });

  it('the right password works', async (t) => {
    const redis = await startRedis({ password: 'right horse battery' });
    t.after(() => redis.stop());
    const worker = await spawnWorker(redis.url);
    t.after(() => worker.kill());
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    assert.equal(await ex.submit(square, 5), 25);
  });

  it('a worker given a wrong password exits non-zero with a one-line reason', async (t) => {
    const redis = await startRedis({ password: 'right horse battery' });
    t.after(() => redis.stop());
    const worker = await spawnWorker(redis.urlWithPassword('wrong'), [], { expectExit: true });
    const { code } = await worker.exited;
    assert.notEqual(code, 0);
    assert.match(worker.stderr(), /switchyard: Redis at .*refused the credentials/);
  });

  it('Redis going away mid-run rejects pending work with RedisConnectionError', async (t) => {
    const { redis } = await startCluster(t, [{}]);
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const inputs = range(100).map((n) => ({ n, ms: 50 }));
    let yielded = 0;
    const error = await (async () => {
      for await (const _ of ex.map(squareWhere, inputs)) {
        if (++yielded === 1) await redis.kill();
      }
    })().catch((e: unknown) => e);
    assert.ok(error instanceof RedisConnectionError, String(error));
    assert.equal(error.reason, 'unreachable');
    assert.match(error.message, /no connection for \d+ s/);
    assert.ok(yielded < inputs.length, `${yielded} yielded`);
  });

  it('no Redis at all: submit rejects with RedisConnectionError', async (t) => {
    const redis = await startRedis();
    await redis.stop();
    t.after(() => sleep(0));
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    await assert.rejects(ex.submit(square, 1), RedisConnectionError);
  });
});

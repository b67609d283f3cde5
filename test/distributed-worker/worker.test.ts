import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue, QueueEvents } from 'bullmq';
import { createExecutor, task } from '../../src/index.js';
import {
  type ChunkResult,
  decodeArray,
  encodeInputs,
  type JobProgress,
  type Outcome,
  PROTOCOL_VERSION,
} from '../../src/runners/distributed/protocol.js';
import { type RedisServer, redisSkip, startRedis } from '../support/redis.js';
import {
  CLI,
  JOBS_MODULE,
  JOBS_MODULE_NAME,
  spawnWorker,
  type WorkerProcess,
} from '../support/worker.js';

/** A job as anyone with access to the queue could write it: valid unless `fields` say otherwise. */
function job(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    v: PROTOCOL_VERSION,
    module: JOBS_MODULE_NAME,
    export: 'square',
    inputs: encodeInputs([3]),
    count: 1,
    ...fields,
  };
}

describe('switchyard worker refuses what it was not started to run', {
  skip: redisSkip,
  timeout: 120_000,
}, () => {
  let redis: RedisServer;
  let worker: WorkerProcess;
  let queue: Queue;
  let events: QueueEvents;

  before(async () => {
    redis = await startRedis();
    worker = await spawnWorker(redis.url);
    const connection = { host: '127.0.0.1', port: redis.port };
    queue = new Queue('switchyard', { connection });
    events = new QueueEvents('switchyard', { connection });
    await events.waitUntilReady();
  });
  after(async () => {
    await events?.close();
    await queue?.close();
    await worker?.kill();
    await redis?.stop();
  });

  /** Adds a raw job and resolves with the outcome of its one input. */
  async function outcomeOf(data: Record<string, unknown>): Promise<Outcome> {
    const added = await queue.add('raw', data);
    const result = (await added.waitUntilFinished(events, 30_000)) as ChunkResult;
    const [outcome] = decodeArray(result.outcomes, 'outcomes') as Outcome[];
    return outcome!;
  }

  it('runs a well-formed job for a task it serves', async () => {
    assert.deepEqual(await outcomeOf(job({})), { ok: true, value: 9 });
  });

  it('streams a chunk’s settled outcomes as job progress while the rest of it still runs, and returns them all', async () => {
    const data = job({
      export: 'slowSquare',
      inputs: encodeInputs([
        { n: 2, ms: 0 },
        { n: 3, ms: 3_000 },
      ]),
      count: 2,
    });
    const heard: string[] = [];
    let streamed: unknown[] = [];
    const added = await queue.add('raw', data);
    const onProgress = ({ jobId, data: progress }: { jobId: string; data: unknown }) => {
      const { outcomes } = progress as JobProgress & { outcomes?: string };
      if (jobId !== added.id || outcomes === undefined) return;
      heard.push('outcomes');
      streamed = decodeArray(outcomes, 'outcomes');
    };
    events.on('progress', onProgress);
    try {
      const result = (await added.waitUntilFinished(events, 30_000)) as ChunkResult;
      heard.push('completed');
      assert.deepEqual(heard, ['outcomes', 'completed'], 'the first outcome came before the end');
      assert.equal(streamed.length, 2, 'one place per input of the chunk');
      assert.deepEqual(
        Object.entries(streamed),
        [['0', { ok: true, value: 4 }]],
        'only what had settled',
      );
      // The event stream may be trimmed before an executor reads it: the result alone tells all.
      assert.deepEqual(decodeArray(result.outcomes, 'outcomes'), [
        { ok: true, value: 4 },
        { ok: true, value: 9 },
      ]);
    } finally {
      events.off('progress', onProgress);
    }
  });

  for (const [what, fields] of [
    ['an inherited property as export name', { export: 'constructor' }],
    ['a prototype key as export name', { export: '__proto__' }],
    ['a non-function export', { export: 'notAFunction' }],
    [
      'a module it was not started with',
      { module: JOBS_MODULE_NAME.replace('jobs.ts', 'other.js') },
    ],
    ['the module’s URL instead of its name', { module: JOBS_MODULE.href }],
    ['a data: URL carrying code', { module: 'data:text/javascript,process.exit(3)' }],
    ['a node: builtin', { module: 'node:child_process', export: 'execSync' }],
  ] as const) {
    it(`answers ${what} with TaskNotFoundError, importing nothing`, async () => {
      const outcome = await outcomeOf(job(fields));
      assert.ok(!outcome.ok, 'the job failed');
      assert.equal(outcome.error.name, 'TaskNotFoundError');
      assert.equal(worker.child.exitCode, null, 'the worker is still running');
    });
  }

  for (const [what, fields] of [
    ['another protocol version', { v: 99 }],
    ['inputs that are not structured-clone data', { inputs: 'bm90IHY4' }],
    ['a count that does not match the inputs', { count: 2 }],
    ['a negative timeout', { timeout: -5 }],
    ['a missing module', { module: undefined }],
  ] as const) {
    it(`fails a job with ${what} without running it`, async () => {
      const added = await queue.add('raw', job(fields), { attempts: 3 });
      await assert.rejects(added.waitUntilFinished(events, 30_000), /invalid switchyard job/);
      const failed = await queue.getJob(added.id ?? '');
      assert.equal(failed?.attemptsMade, 1, 'an invalid job is not retried');
    });
  }

  it('keeps serving after all of that', async () => {
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    assert.equal(await ex.submit(task<number, number>(JOBS_MODULE, 'square'), 4), 16);
  });
});

describe('switchyard worker shuts down gracefully', { skip: redisSkip, timeout: 120_000 }, () => {
  it('on SIGTERM it finishes the jobs in hand, then exits 0', async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const worker = await spawnWorker(redis.url);
    t.after(() => worker.kill());
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const slow = task<{ n: number; ms: number }, number>(JOBS_MODULE, 'slowSquare');
    const inHand = ex.submit(slow, { n: 7, ms: 1_500 });
    while (ex.stats().running === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    worker.child.kill('SIGTERM');
    assert.equal(await inHand, 49);
    assert.deepEqual(await worker.exited, { code: 0, signal: null });
    assert.match(worker.stderr(), /SIGTERM: finishing the jobs in hand/);
  });
});

describe('switchyard worker on the command line', () => {
  it('a task module that does not exist: exit 1 with a one-line reason, before any Redis', async () => {
    const worker = await spawnWorker('redis://127.0.0.1:1', [], {
      expectExit: true,
      tasks: ['/no/such/jobs.js'],
    });
    assert.deepEqual(await worker.exited, { code: 1, signal: null });
    assert.match(worker.stderr(), /^switchyard: task module \/no\/such\/jobs\.js does not exist/m);
    assert.equal(worker.stderr().trim().split('\n').length, 1, worker.stderr());
  });

  it('takes the Redis URL from SWITCHYARD_REDIS_URL, so a password stays off the command line', {
    skip: redisSkip,
  }, async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const worker = await spawnWorker(redis.url, [], { connectionFromEnv: true });
    t.after(() => worker.kill());
    assert.doesNotMatch(worker.child.spawnargs.join(' '), /--connection/);
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    assert.equal(await ex.submit(task<number, number>(JOBS_MODULE, 'square'), 5), 25);
  });

  it('without --connection or SWITCHYARD_REDIS_URL: exit non-zero naming both', async () => {
    const { SWITCHYARD_REDIS_URL: _, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'worker', '--tasks', 'x.js'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    assert.notEqual(code, 0);
    assert.equal(
      err.split('\n')[0],
      'error: no Redis connection: pass --connection redis://host:port, or set SWITCHYARD_REDIS_URL=redis://[:password@]host:port (which keeps a password off the command line)',
    );
  });

  it('a task module path that does not exist: says where it looked, in the terms of the command line', async () => {
    const worker = await spawnWorker('redis://127.0.0.1:1', [], {
      expectExit: true,
      tasks: ['./no/such/jobs.mjs'],
    });
    assert.deepEqual(await worker.exited, { code: 1, signal: null });
    assert.equal(
      worker.stderr(),
      `switchyard: task module ./no/such/jobs.mjs does not exist (no file at ${join(process.cwd(), 'no/such/jobs.mjs')}; a relative path starts from the current directory); check the path, or build the module first\n`,
    );
  });

  it('a blank --queue, or one with a colon: exit non-zero naming the option, before any Redis', async () => {
    for (const [value, reason] of [
      ['', /^error: option '-q, --queue <name>' argument '' is invalid\. must not be blank;/],
      [' ', /^error: option '-q, --queue <name>' argument ' ' is invalid\. must not be blank;/],
      [
        'a:b',
        /^error: option '-q, --queue <name>' argument 'a:b' is invalid\. must not contain ':'/,
      ],
    ] as const) {
      const worker = await spawnWorker('redis://127.0.0.1:1', ['--queue', value], {
        expectExit: true,
      });
      assert.equal((await worker.exited).code, 1, worker.stderr());
      assert.match(worker.stderr(), reason);
    }
  });

  it('a bad --workers value: exit non-zero naming the option', async () => {
    for (const [value, reason] of [
      ['0', /--workers <n>' argument '0' is invalid\. must be an integer >= 1/],
      ['100000', /--workers <n>' argument '100000' is invalid\. .*<= 1024/],
    ] as const) {
      const worker = await spawnWorker('redis://127.0.0.1:1', ['--workers', value], {
        expectExit: true,
      });
      assert.notEqual((await worker.exited).code, 0);
      assert.match(worker.stderr(), reason);
    }
  });

  it('--json prints a serving event with its tasks, and a stopped event', {
    skip: redisSkip,
  }, async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const worker = await spawnWorker(redis.url, ['--json', '--workers', '2']);
    t.after(() => worker.kill());
    worker.child.kill('SIGINT');
    assert.deepEqual(await worker.exited, { code: 0, signal: null });
    const events = worker
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(events[0].event, 'serving');
    assert.equal(events[0].queue, 'switchyard');
    assert.equal(events[0].capacity, 2);
    assert.ok(events[0].tasks.includes(`${JOBS_MODULE_NAME}#square`), JSON.stringify(events[0]));
    assert.equal(events.at(-1).event, 'stopped');
  });
});

/**
 * How `switchyard worker` stops: on a signal with Redis gone, on a second signal with jobs
 * in hand, and what it says while Redis is out of reach.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createExecutor, task } from '../../src/index.js';
import { type Finished, startCli } from '../cli/spawn.js';
import { redisSkip, startRedis } from '../support/redis.js';
import { JOBS_MODULE, spawnWorker, type WorkerProcess } from '../support/worker.js';

/** Long enough for any stop on a loaded machine, short of the never that it used to be. */
const HANG_MS = 30_000;

/** Its exit, or `'still running'` after `ms`. */
function exitWithin(worker: WorkerProcess, ms: number) {
  return Promise.race([worker.exited, sleep(ms, 'still running' as const)]);
}

/** Resolves once the worker has written something matching `pattern` to stderr. */
async function said(worker: WorkerProcess, pattern: RegExp, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pattern.test(worker.stderr())) {
    if (Date.now() > deadline)
      assert.fail(`not said within ${ms} ms: ${pattern}\n${worker.stderr()}`);
    await sleep(50);
  }
}

const UNREACHABLE =
  /^switchyard worker: no connection to Redis at redis:\/\/127\.0\.0\.1:\d+ for 10 s \(connect ECONNREFUSED [^)]+\), so no jobs are taken; still trying to reconnect: check that Redis is running and reachable from this machine$/m;

describe('switchyard worker with Redis gone', { skip: redisSkip, timeout: 120_000 }, () => {
  it('stops at once on a signal when no job is in hand, saying it did not wait for Redis, and exits 0', async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const worker = await spawnWorker(redis.url);
    t.after(() => worker.kill());
    await redis.kill();
    worker.child.kill('SIGINT');
    // Before, it was still running a minute later: any bound well past its 2 s wait for
    // Redis tells the two apart, on a loaded machine too. What it says is checked below.
    assert.deepEqual(await exitWithin(worker, HANG_MS), { code: 0, signal: null }, worker.stderr());
    assert.match(
      worker.stderr(),
      /^switchyard worker: SIGINT: finishing the jobs in hand; press Ctrl-C again to cancel them\nswitchyard worker: Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer within 2 s, so the worker stopped without it; no job was in hand, so nothing was lost\nswitchyard worker: stopped\n$/m,
    );
  });

  it('with a job in hand, lets it run to its end, then waits at most 2 s for Redis before it stops', async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const worker = await spawnWorker(redis.url);
    t.after(() => worker.kill());
    const ex = createExecutor({ mode: 'distributed', connection: redis.url });
    t.after(() => ex.close({ cancel: true }).catch(() => {}));
    const slow = task<{ n: number; ms: number }, number>(JOBS_MODULE, 'slowSquare');
    ex.submit(slow, { n: 3, ms: 2_000 }).catch(() => {});
    while (ex.stats().running === 0) await sleep(20);
    await redis.kill();
    worker.child.kill('SIGTERM');
    assert.deepEqual(await exitWithin(worker, HANG_MS), { code: 0, signal: null }, worker.stderr());
    assert.match(
      worker.stderr(),
      /^switchyard worker: Redis at \S+ did not answer within 2 s, so the worker stopped without it; the outcome of 1 job it had taken could not be recorded there, so another worker runs it again$/m,
    );
  });

  it('says so in one line per 10 s without a connection, and when it is back', async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const worker = await spawnWorker(redis.url);
    t.after(() => worker.kill());
    await redis.kill();
    await said(worker, UNREACHABLE);
    await sleep(1_000);
    assert.equal(worker.stderr().match(/no connection/g)?.length, 1, worker.stderr());
    await redis.restart(0);
    await said(worker, /^switchyard worker: connected to Redis at .* again; taking jobs$/m);
    worker.child.kill('SIGTERM');
    assert.deepEqual(await exitWithin(worker, HANG_MS), { code: 0, signal: null }, worker.stderr());
  });

  it('failing to start for want of Redis, says so once', async () => {
    const worker = await spawnWorker('redis://127.0.0.1:1', [], { expectExit: true });
    assert.deepEqual(await worker.exited, { code: 1, signal: null });
    assert.match(
      worker.stderr(),
      /^switchyard: Redis at redis:\/\/127\.0\.0\.1:1: no connection for 10 s \(connect ECONNREFUSED 127\.0\.0\.1:1\); is Redis running and reachable\?\n$/,
    );
  });

  it('stopped while it still waits for Redis to start serving: exits 0 at once', async () => {
    const { child, finished } = startCli(
      ['worker', '--connection', 'redis://127.0.0.1:1', '--tasks', fileURLToPath(JOBS_MODULE)],
      undefined,
      { SWITCHYARD_REDIS_URL: '' },
    );
    await sleep(3_000); // started, and still waiting: Redis is given 10 s
    child.kill('SIGTERM');
    const stopped = await Promise.race([finished, sleep(3_000, 'still running' as const)]);
    assert.notEqual(stopped, 'still running');
    const { code, signal, stderr } = stopped as Finished;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, stderr);
    assert.equal(stderr, 'switchyard worker: SIGTERM before it served: stopped\n');
  });
});

describe('switchyard worker, signalled twice', { skip: redisSkip, timeout: 120_000 }, () => {
  it('cancels the jobs in hand, says so in one line, exits 143, and another worker runs them', async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const first = await spawnWorker(redis.url);
    t.after(() => first.kill());
    const ex = createExecutor({ mode: 'distributed', connection: redis.url });
    t.after(() => ex.close({ cancel: true }));
    const slow = task<{ n: number; ms: number }, number>(JOBS_MODULE, 'slowSquare');
    const inHand = ex.submit(slow, { n: 8, ms: 4_000 });
    while (ex.stats().running === 0) await sleep(20);
    first.child.kill('SIGTERM');
    await said(first, /SIGTERM: finishing the jobs in hand/);
    first.child.kill('SIGTERM');
    assert.deepEqual(await exitWithin(first, 5_000), { code: 143, signal: null }, first.stderr());
    const lines = first.stderr().trim().split('\n');
    assert.deepEqual(lines.slice(-2), [
      'switchyard worker: SIGTERM: finishing the jobs in hand; send SIGTERM again to cancel them',
      'switchyard worker: SIGTERM again: cancelling the jobs in hand; another worker takes them over once their lock expires',
    ]);
    assert.ok(!first.stderr().includes('stopped\n'), first.stderr());

    const second = await spawnWorker(redis.url);
    t.after(() => second.kill());
    assert.equal(await inHand, 64, 'taken over and run to the end by the other worker');
  });
});

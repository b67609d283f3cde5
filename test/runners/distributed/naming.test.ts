/**
 * Distributed tasks travel by a name that does not depend on where the module lives, and
 * a worker leaves a job it cannot run to one that can.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createExecutor, type Settled, TaskNotFoundError, task } from '../../../src/index.js';
import { redisSkip } from '../../support/redis.js';
import { JOBS_MODULE, startCluster } from '../../support/worker.js';

const squareWhere = task<{ n: number; ms: number }, [number, number]>(JOBS_MODULE, 'squareWhere');
const OTHER_MODULE = fileURLToPath(new URL('../../fixtures/plain.mjs', import.meta.url));
const inputs = Array.from({ length: 200 }, (_, n) => ({ n, ms: 5 }));

/**
 * A copy of this package's distributed jobs module deployed elsewhere: another directory,
 * the same package name and the same path inside the package.
 */
function deployElsewhere(): { module: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-deployed-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'switchyard', type: 'module' }));
  const dir = join(root, 'test/fixtures/distributed');
  mkdirSync(dir, { recursive: true });
  copyFileSync(fileURLToPath(JOBS_MODULE), join(dir, 'jobs.ts'));
  return {
    module: join(dir, 'jobs.ts'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Maps `inputs` and returns the outcomes by index, with the worker pids that ran them. */
async function runAll(
  url: string,
): Promise<{ outcomes: Settled<[number, number]>[]; pids: Set<number> }> {
  await using ex = createExecutor({ mode: 'distributed', connection: url });
  const outcomes: Settled<[number, number]>[] = [];
  const pids = new Set<number>();
  for await (const outcome of ex.mapSettled(squareWhere, inputs)) {
    outcomes[outcome.index] = outcome;
    if (outcome.ok) pids.add(outcome.value[1]);
  }
  return { outcomes, pids };
}

function assertAllSquared(outcomes: Settled<[number, number]>[]): void {
  const failed = outcomes.filter((outcome) => !outcome.ok);
  assert.deepEqual(
    failed.slice(0, 3).map((outcome) => !outcome.ok && String(outcome.error)),
    [],
    `${failed.length} of ${inputs.length} failed`,
  );
  assert.equal(outcomes.filter(Boolean).length, inputs.length);
  for (const outcome of outcomes) assert.equal(outcome.ok && outcome.value[0], outcome.index ** 2);
}

describe('distributed task names and hand-backs', { skip: redisSkip, timeout: 240_000 }, () => {
  it('a worker with the task module at another path, beside one with it here: all 200 tasks succeed, on both', async (t) => {
    const deployed = deployElsewhere();
    t.after(deployed.remove);
    const args = ['--workers', '2'];
    const { redis, workers } = await startCluster(t, [
      { args },
      { args, tasks: [deployed.module] },
    ]);
    const { outcomes, pids } = await runAll(redis.url);
    assertAllSquared(outcomes);
    assert.deepEqual(
      [...pids].sort(),
      workers.map((worker) => worker.child.pid).sort(),
      'both workers ran tasks',
    );
  });

  it('a worker that does not serve the task, beside one that does, leaves its jobs to that one: all 200 succeed', async (t) => {
    const { redis, workers } = await startCluster(t, [
      { args: ['--workers', '1'] },
      { args: ['--workers', '2'], tasks: [OTHER_MODULE] },
    ]);
    const { outcomes, pids } = await runAll(redis.url);
    assertAllSquared(outcomes);
    assert.deepEqual([...pids], [workers[0]!.child.pid]);
  });

  it('a task no live worker serves fails with TaskNotFoundError naming the modules they do serve', async (t) => {
    const { redis } = await startCluster(t, [{ args: ['--workers', '1'], tasks: [OTHER_MODULE] }]);
    await using ex = createExecutor({ mode: 'distributed', connection: redis.url });
    const error = await ex.submit(squareWhere, { n: 2, ms: 0 }).catch((e: unknown) => e);
    assert.ok(error instanceof TaskNotFoundError, String(error));
    assert.match(
      error.message,
      /no switchyard worker of queue 'switchyard' runs tasks from switchyard\/test\/fixtures\/distributed\/jobs\.ts: they serve switchyard\/test\/fixtures\/plain\.mjs; start a worker with --tasks for that module/,
    );
  });
});

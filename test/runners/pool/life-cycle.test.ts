/**
 * A pool's workers over their lives, with real workers: back to full after crashes, never
 * below `minWorkers` when idle, bounded when a task module never finishes loading, and
 * never outliving the program that started them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import {
  createExecutor,
  TaskNotFoundError,
  type ThreadsOptions,
  task,
  WorkerCrashedError,
} from '../../../src/index.js';
import { Pool } from '../../../src/runners/pool/pool.js';
import { processTransport } from '../../../src/runners/pool/transports/process.js';
import { threadTransport } from '../../../src/runners/pool/transports/thread.js';
import { alive, workersOf } from './proc.js';
import { eventually, fixtures, ref, TEST_TIMEOUT } from './real-workers.js';
import { poolOptions } from './scripted-transport.js';

const neverLoads = task(new URL('./fixtures/never-loads.mjs', import.meta.url), 'unreachable');

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const [mode, transport] of [
  ['threads', threadTransport],
  ['processes', processTransport],
] as const) {
  const make = (options: Omit<ThreadsOptions, 'mode'> = {}) =>
    createExecutor({ mode, workers: 2, ...options });

  describe(`${mode}: workers over their lives`, { timeout: TEST_TIMEOUT }, () => {
    it('after four crashing tasks on a pool of 2, the pool is back at 2 workers without further work', async () => {
      await using ex = make();
      await ex.submit(ref('double'), 1);
      const crashes = await Promise.allSettled([3, 4, 5, 6].map((n) => ex.submit(ref('exit'), n)));
      for (const crash of crashes) {
        assert.equal(crash.status, 'rejected');
        assert.ok(crash.reason instanceof WorkerCrashedError);
      }
      await eventually(() => ex.stats().workers === 2, 'back at 2 workers');
    });

    it('an idle pool of 4 with minWorkers 1 shrinks to 1, never below', async () => {
      await using ex = make({ workers: 4, minWorkers: 1, idleTimeout: 50 });
      await Promise.all([1, 2, 3, 4].map((n) => ex.submit(ref('sleep'), 50 + n)));
      await eventually(() => ex.stats().workers === 1, 'shrunk to 1');
      await pause(300);
      assert.equal(ex.stats().workers, 1, 'and stays there');
    });

    it('a task module that never finishes loading does not hold up the tasks already loaded', async () => {
      // Far longer than the test may take: the loaded task must not wait for it.
      const pool = new Pool(poolOptions(transport, { loadTimeout: 600_000 }));
      const double = pool.task(ref('double'));
      await pool.probe(double);
      const never = pool.probe(pool.task(neverLoads));
      never.catch(() => {});
      const run = { controller: new AbortController(), timeout: 5_000, priority: 0 };
      for (const n of [1, 2, 3]) {
        assert.equal(
          await pool.runOne({ ...run, task: double, inputs: [n], progress() {} }),
          2 * n,
        );
      }
      await pool.close();
    });

    it('a task module whose top-level await never settles fails its load as TaskNotFoundError; its worker is replaced and the pool works on', async () => {
      const pool = new Pool(poolOptions(transport, { loadTimeout: 1_000 }));
      await assert.rejects(
        pool.probe(pool.task(neverLoads)),
        (error) =>
          error instanceof TaskNotFoundError &&
          /did not finish loading within 1000 ms/.test(error.message),
      );
      const double = pool.task(ref('double'));
      await pool.probe(double);
      const run = { controller: new AbortController(), timeout: 100, priority: 0 };
      assert.equal(await pool.runOne({ ...run, task: double, inputs: [21], progress() {} }), 42);
      await pool.close();
    });

    it('close() does not wait for a load that never ends', async () => {
      await using ex = make({ workers: 1 });
      await ex.submit(ref('double'), 1);
      const pool = new Pool(poolOptions(transport, { loadTimeout: 10 * TEST_TIMEOUT }));
      const loading = pool.probe(pool.task(neverLoads));
      loading.catch(() => {});
      await pause(200);
      await pool.close();
      await assert.rejects(loading, WorkerCrashedError);
    });
  });
}

describe('processes: no orphans', { timeout: TEST_TIMEOUT }, () => {
  it('workers computing without a pause die with their parent when it is SIGKILLed', async (t) => {
    const index = new URL('../../../src/index.ts', import.meta.url).href;
    const program = `
      const { createExecutor, task } = await import(${JSON.stringify(index)});
      const ex = createExecutor({ mode: 'processes', workers: 2 });
      const spin = task(${JSON.stringify(fixtures.href)}, 'spin');
      ex.submit(spin, 0);
      ex.submit(spin, 0);
      while (ex.stats().running < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      console.log('spinning');`;
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', program],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let workers: number[] = [];
    t.after(() => {
      parent.kill('SIGKILL');
      for (const pid of workers.filter(alive)) process.kill(pid, 'SIGKILL');
    });
    await new Promise<void>((resolve) => parent.stdout.on('data', () => resolve()));
    workers = workersOf(parent.pid!);
    assert.equal(workers.length, 2, 'two worker processes');
    // Both workers are busy in their loop: nothing they run can see the parent go.
    await pause(300);
    assert.ok(workers.every(alive), 'the workers run');
    parent.kill('SIGKILL');
    await eventually(() => !workers.some(alive), 'every worker gone after its parent');
  });
});

/**
 * `auto`'s worker threads while they start: a start can be abandoned once it is no longer
 * needed, but only while no task holds the workers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Runner, RunnerLoad } from '../../../src/core/runner.js';
import { task } from '../../../src/index.js';
import { WorkerThreads } from '../../../src/runners/auto/workers.js';

const LOAD: RunnerLoad = { workers: 1, running: 0, queued: 0, retried: 0, utilization: 0 };

/** A one-worker runner that loads a task when the test says, and says when it was closed. */
class StartingRunner {
  readonly mode = 'threads';
  readonly concurrency = 1;
  readonly mapWindow = 1;
  closed = false;
  readonly #loads: { resolve: (value: string) => void; reject: (error: Error) => void }[] = [];

  prepare(): Promise<string> {
    return new Promise((resolve, reject) => this.#loads.push({ resolve, reject }));
  }

  /** The loads asked for so far finish. */
  finish(): void {
    for (const load of this.#loads.splice(0)) load.resolve('loaded');
  }

  run(): Promise<unknown> {
    return Promise.reject(new Error('not in these tests'));
  }

  load(): RunnerLoad {
    return LOAD;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const load of this.#loads.splice(0)) load.reject(new Error('closed'));
  }
}

function workerThreads() {
  const made: StartingRunner[] = [];
  const threads = new WorkerThreads(2, () => {
    const runner = new StartingRunner();
    made.push(runner);
    return runner as unknown as Runner;
  });
  return { threads, made };
}

const TASK = task(new URL('../../fixtures/workloads.mjs', import.meta.url), 'io');
const OTHER_TASK = task(new URL('../../fixtures/workloads.mjs', import.meta.url), 'where');

describe("auto's worker threads", () => {
  it('stop while they start for one task; that take fails and the next starts new ones', async () => {
    const { threads, made } = workerThreads();
    const first = threads.take(TASK);
    assert.ok(threads.abandon());
    assert.deepEqual(
      made.map((r) => r.closed),
      [true, true],
    );
    await assert.rejects(first, /stopped while starting/);
    assert.equal(threads.load(), undefined, 'no workers are left');
    const second = threads.take(TASK);
    assert.equal(made.length, 4, 'the next take starts two new workers');
    for (const runner of made.slice(2)) runner.finish();
    await second;
    assert.equal(threads.load()?.workers, 2);
  });

  it('fail the take that was starting them even when their loads finish as they stop', async () => {
    const { threads, made } = workerThreads();
    const first = threads.take(TASK);
    for (const runner of made) runner.finish();
    // The loads have finished, but the take has not yet seen it.
    assert.ok(threads.abandon());
    await assert.rejects(first, /stopped while starting/);
  });

  it('are not stopped once a take has finished: a task holds them', async () => {
    const { threads, made } = workerThreads();
    const taking = threads.take(TASK);
    for (const runner of made) runner.finish();
    await taking;
    assert.equal(threads.abandon(), undefined);
    assert.deepEqual(
      made.map((r) => r.closed),
      [false, false],
    );
  });

  it('are not stopped while another task waits for them too', async () => {
    const { threads, made } = workerThreads();
    const first = threads.take(TASK);
    const second = threads.take(OTHER_TASK);
    assert.equal(threads.abandon(), undefined);
    for (const runner of made) runner.finish();
    await Promise.all([first, second]);
    assert.equal(made.length, 2);
  });

  it('close waits for the workers an abandoned start is stopping', async () => {
    let stopped = false;
    const threads = new WorkerThreads(1, () => {
      const runner = new StartingRunner();
      runner.close = async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        stopped = true;
      };
      return runner as unknown as Runner;
    });
    const taking = threads.take(TASK);
    taking.catch(() => {});
    assert.ok(threads.abandon());
    await threads.close();
    assert.equal(stopped, true);
  });

  it('say when the workers an abandoned start stopped have ended', async () => {
    const made: StartingRunner[] = [];
    let ended = 0;
    const threads = new WorkerThreads(2, () => {
      const runner = new StartingRunner();
      runner.close = async () => {
        await new Promise((resolve) => setTimeout(resolve, 10 * made.indexOf(runner) + 10));
        ended++;
      };
      made.push(runner);
      return runner as unknown as Runner;
    });
    threads.take(TASK).catch(() => {});
    const stopped = threads.abandon();
    assert.ok(stopped);
    assert.equal(ended, 0);
    await stopped;
    assert.equal(ended, 2, 'both, the slower one too');
  });

  it('count the CPU of workers being stopped until they end, and what they had used once they have', async () => {
    /** A worker whose CPU the test sets; its runner forgets it once closed, as a pool does. */
    class Metered extends StartingRunner {
      cpu: number | undefined = 10;
      ended = false;
      endNow = () => {};
      cpuMs(): number | undefined {
        return this.ended ? 0 : this.cpu;
      }
      override close(): Promise<void> {
        return new Promise((resolve) => {
          this.endNow = () => {
            this.ended = true;
            resolve();
          };
        });
      }
    }
    const made: Metered[] = [];
    const threads = new WorkerThreads(2, () => {
      const runner = new Metered();
      made.push(runner);
      return runner as unknown as Runner;
    });
    threads.take(TASK).catch(() => {});
    assert.equal(threads.cpuMs(), 20);
    assert.ok(threads.abandon());
    for (const runner of made) runner.cpu = 30;
    assert.equal(threads.cpuMs(), 60, 'still booting: they run on while they stop');
    made[0]!.cpu = 35;
    assert.equal(threads.cpuMs(), 65);
    made[0]!.endNow();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(threads.cpuMs(), 65, 'the one that ended counts what it had used when last read');
    made[1]!.cpu = undefined;
    assert.equal(threads.cpuMs(), 65, 'a reading that does not say keeps the last one');
    made[1]!.endNow();
    await new Promise((resolve) => setImmediate(resolve));
    threads.take(TASK).catch(() => {});
    assert.equal(threads.cpuMs(), 85, 'new workers add theirs');
  });
});

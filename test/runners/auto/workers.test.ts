/**
 * `auto`'s worker threads while they start: a start can be abandoned once it is no longer
 * needed, but only while no task holds the workers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { task } from '../../../src/index.js';
import { fakeWorkerThreads, SlowToStop, StartingRunner, settled, TASK } from './worker-fakes.js';

const OTHER_TASK = task(new URL('../../fixtures/workloads.mjs', import.meta.url), 'where');
const workerThreads = () => fakeWorkerThreads(() => new StartingRunner());

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
    const { threads, made } = fakeWorkerThreads(() => new SlowToStop(), 1);
    threads.take(TASK).catch(() => {});
    assert.ok(threads.abandon());
    let closed = false;
    const closing = threads.close().then(() => {
      closed = true;
    });
    await settled();
    assert.equal(closed, false, 'the worker has not ended yet');
    made[0]!.end();
    await closing;
  });

  it('say when the workers an abandoned start stopped have ended', async () => {
    const { threads, made } = fakeWorkerThreads(() => new SlowToStop());
    threads.take(TASK).catch(() => {});
    const stopped = threads.abandon();
    assert.ok(stopped);
    let ended = false;
    void stopped.then(() => {
      ended = true;
    });
    made[0]!.end();
    await settled();
    assert.equal(ended, false, 'one of them still runs');
    made[1]!.end();
    await settled();
    assert.equal(ended, true);
  });

  it('count the CPU of workers being stopped until they end, and what they had used once they have', async () => {
    /** A worker whose CPU the test sets; its runner still counts it once it has ended, as a pool does. */
    class Metered extends SlowToStop {
      cpu = 10;
      cpuMs(): number {
        return this.cpu;
      }
    }
    const { threads, made } = fakeWorkerThreads(() => new Metered());
    threads.take(TASK).catch(() => {});
    assert.equal(threads.cpuMs(), 20);
    assert.ok(threads.abandon());
    for (const runner of made) runner.cpu = 30;
    assert.equal(threads.cpuMs(), 60, 'still booting: they run on while they stop');
    made[0]!.cpu = 35;
    assert.equal(threads.cpuMs(), 65);
    made[0]!.end();
    await settled();
    assert.equal(threads.cpuMs(), 65, 'the one that ended counts what it had used');
    made[1]!.end();
    await settled();
    threads.take(TASK).catch(() => {});
    assert.equal(threads.cpuMs(), 85, 'new workers add theirs');
  });
});

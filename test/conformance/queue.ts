/**
 * The conformance suite's tests of the tasks that wait for a place: started highest
 * priority first, refused past `maxQueue` with `QueueFullError`, and `ready()`, which
 * holds a producer back until there is room.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ExecutorClosedError, QueueFullError } from '../../src/index.js';
import {
  type ConformanceContext,
  collect,
  eventually,
  FOREVER,
  jobs,
  oneRunningTwoBehind,
  pause,
  rejection,
} from './context.js';

export function describeQueue(context: ConformanceContext): void {
  const { open, marker, occupyTheOnlySlot } = context;

  it('starts waiting tasks highest priority first, equal priorities in submission order', async (t) => {
    const ex = await open(t, { concurrency: 1 });
    // The module is loaded, by a task long enough that a pool sends no more than one task
    // ahead to a busy worker (it sends as many short ones as cover about 2 ms).
    assert.equal(await ex.submit(jobs.outcome, { value: -1, ms: 5 }), -1);
    const controller = await occupyTheOnlySlot(ex);
    const order: number[] = [];
    // A pool may send the first task that waits ahead to the busy worker, before any
    // other arrives: that one's place is not the priorities' to decide.
    const ahead = ex.submit(jobs.outcome, { value: 0 }, { priority: -1 });
    const priorities = [0, 10, 0, 5, 10];
    const done = priorities.map((priority, i) =>
      ex.submit(jobs.outcome, { value: i + 1 }, { priority }).then((value) => order.push(value)),
    );
    await eventually(() => ex.stats().queued === priorities.length + 1, 'all of them waiting');
    controller.abort();
    await Promise.all([ahead, ...done]);
    assert.deepEqual(order, [2, 5, 4, 1, 3]);
  });

  describe('maxQueue', () => {
    it('past maxQueue, submit rejects at once with QueueFullError and keeps nothing', async (t) => {
      const ex = await open(t, { concurrency: 1, maxQueue: 2 });
      const started = marker();
      await oneRunningTwoBehind(ex, started);
      await eventually(() => ex.stats().queued === 2, 'two tasks waiting');
      const refused = marker();
      const error = await rejection(ex.submit(jobs.outcome, { value: 3, started: refused }));
      assert.ok(error instanceof QueueFullError, `got ${String(error)}`);
      assert.equal(error.code, 'ERR_QUEUE_FULL');
      assert.equal(ex.stats().queued, 2, 'the refused task was not kept');
      assert.equal(existsSync(refused), false, 'the refused task never ran');
      assert.equal(ex.stats().failed, 0, 'a refused task is not a failed one');
    });

    it('holds a producer back while the task module loads: nothing refused, never more than maxQueue waiting', async (t) => {
      const ex = await open(t, { concurrency: 1, maxQueue: 3 });
      const submitted: Promise<number>[] = [];
      let most = 0;
      for (let value = 0; value < 30; value++) {
        await ex.ready();
        submitted.push(ex.submit(jobs.outcome, { value }));
        most = Math.max(most, ex.stats().queued);
      }
      assert.deepEqual(
        await Promise.all(submitted),
        Array.from({ length: 30 }, (_, value) => value),
      );
      // Counted as waiting while its module loads, the one that then runs at once, too.
      assert.ok(most <= 3 + 1, `${most} tasks waited at once`);
    });

    it('ready() resolves once there is room again, and submit is then accepted', async (t) => {
      const ex = await open(t, { concurrency: 1, maxQueue: 1 });
      const controller = await occupyTheOnlySlot(ex);
      const waiting = ex.submit(jobs.outcome, { value: 1 });
      await eventually(() => ex.stats().queued === 1, 'one task waiting');
      let ready = false;
      const room = ex.ready().then(() => {
        ready = true;
      });
      // While the first task runs forever nothing can leave the queue: no room yet.
      await pause(200);
      assert.equal(ready, false, 'ready() resolved while the queue was full');
      controller.abort();
      await room;
      assert.equal(await waiting, 1);
      assert.equal(await ex.submit(jobs.outcome, { value: 2 }), 2);
    });

    it('maxQueue 0 accepts only a task that can start at once, and ready() waits for a free place', async (t) => {
      const ex = await open(t, { concurrency: 1, maxQueue: 0 });
      await ex.ready();
      const controller = await occupyTheOnlySlot(ex);
      const error = await rejection(ex.submit(jobs.outcome, { value: 1 }));
      assert.ok(error instanceof QueueFullError, `got ${String(error)}`);
      let ready = false;
      const room = ex.ready().then(() => {
        ready = true;
      });
      await pause(200);
      assert.equal(ready, false, 'ready() resolved while the only place was taken');
      controller.abort();
      await room;
      assert.equal(await ex.submit(jobs.outcome, { value: 2 }), 2);
    });

    it('a producer waiting in ready() goes on when the executor closes, and its submit is refused', async (t) => {
      const ex = await open(t, { concurrency: 1, maxQueue: 1 });
      await occupyTheOnlySlot(ex);
      ex.submit(jobs.outcome, { value: 1 }).catch(() => {});
      await eventually(() => ex.stats().queued === 1, 'one task waiting');
      const room = ex.ready();
      await ex.close({ cancel: true });
      await room;
      await ex.ready();
      const error = await rejection(ex.submit(jobs.outcome, { value: 2 }));
      assert.ok(error instanceof ExecutorClosedError, `got ${String(error)}`);
    });

    it('a map is not refused past maxQueue: its window bounds it', async (t) => {
      const ex = await open(t, { concurrency: 1, maxQueue: 1 });
      const inputs = Array.from({ length: 20 }, (_, value) => ({ value }));
      assert.deepEqual(
        await collect(ex.map(jobs.outcome, inputs)),
        inputs.map((i) => i.value),
      );
    });
  });

  it('ready() resolves at once when maxQueue is not set', async (t) => {
    const ex = await open(t, { concurrency: 1 });
    const started = marker();
    const running = ex.submit(jobs.outcome, { value: 0, ms: FOREVER, started });
    running.catch(() => {});
    for (let value = 1; value <= 5; value++) ex.submit(jobs.outcome, { value }).catch(() => {});
    await ex.ready();
  });
}

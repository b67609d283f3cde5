/**
 * How the `auto` runner, with real tasks, is fed a `map`: tiny tasks on the calling thread
 * started in chunks (one at a time under a timeout), no more inputs begun than its level
 * keeps in flight, and its read-ahead. The sizes themselves are `map-sizes.test.ts`'s.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecutorFront } from '../../../src/executor/front.js';
import { createExecutor } from '../../../src/index.js';
import { AutoRunner } from '../../../src/runners/auto/auto.js';
import {
  AUTO_MAP_WINDOW,
  MAX_TASKS_PER_WORKER,
  START_LIMIT,
} from '../../../src/runners/auto/settings.js';
import { collect } from '../../conformance/context.js';
import {
  calls,
  gatherAt,
  gatheredBeforeFirstDone,
  gatheredStarted,
  mostYieldingAtOnce,
} from '../../fixtures/auto-tasks.mjs';
import { autoTasks, busy, runnerFor, SLOW } from './auto-executor.js';

describe('auto', () => {
  describe('tiny tasks kept on the calling thread', () => {
    /** An executor without threads whose map chunks are counted as they reach auto. */
    const counting = (options: { concurrency?: number } = {}) => {
      const auto = new AutoRunner({ mode: 'auto', ...options }, runnerFor, ['loop'], busy(1));
      const sizes: number[] = [];
      const runChunk = auto.runChunk.bind(auto);
      auto.runChunk = (prepared, chunk) => {
        sizes.push(chunk.inputs.length);
        return runChunk(prepared, chunk);
      };
      return { ex: new ExecutorFront(auto), sizes };
    };
    const inputs = Array.from({ length: 20_000 }, (_, n) => n);

    it('are started in chunks, each input once', SLOW, async () => {
      const { ex, sizes } = counting();
      calls.clear();
      try {
        const out = await collect(ex.map(autoTasks.triple, inputs));
        assert.deepEqual(
          out,
          inputs.map((n) => n * 3),
        );
        assert.equal(calls.size, inputs.length);
        assert.deepEqual(
          [...calls.values()].filter((n) => n !== 1),
          [],
        );
        const inChunks = sizes.filter((size) => size > 1).reduce((a, b) => a + b, 0);
        assert.ok(inChunks > inputs.length / 2, `chunk sizes: ${sizes.join(',')}`);
      } finally {
        await ex.close();
      }
    });

    it('fail alone when one throws in a chunk, as a TaskError', SLOW, async () => {
      const { ex } = counting();
      try {
        const results = await collect(ex.mapSettled(autoTasks.picky, inputs));
        const failed = results.filter((r) => !r.ok);
        assert.equal(results.length, inputs.length);
        assert.deepEqual(
          failed.map((r) => [r.index, (r as { error: Error }).error.name]),
          [[14_321, 'TaskError']],
        );
      } finally {
        await ex.close();
      }
    });

    it("keep within the user's concurrency, each input of a chunk counted", SLOW, async () => {
      // A chunk of tasks that await has all of its inputs in flight at once: counted in
      // runs, 8 chunks of 8 would have had 64 in flight.
      const { ex, sizes } = counting({ concurrency: 8 });
      mostYieldingAtOnce();
      try {
        assert.deepEqual(await collect(ex.map(autoTasks.yieldCounted, inputs)), inputs);
        assert.ok(Math.max(...sizes) > 1, 'some inputs came in chunks');
        assert.ok(Math.max(...sizes) <= 8, 'no chunk is larger than the concurrency');
        assert.ok(mostYieldingAtOnce() <= 8);
      } finally {
        await ex.close();
      }
    });

    it('are sent one at a time when the map has a timeout: each keeps its own', SLOW, async () => {
      const { ex, sizes } = counting();
      try {
        const out = await collect(
          ex.map(autoTasks.identity, inputs.slice(0, 3_000), { timeout: 10_000 }),
        );
        assert.equal(out.length, 3_000);
        assert.deepEqual(new Set(sizes), new Set([1]));
      } finally {
        await ex.close();
      }
    });
  });

  it("begins no more of a map's inputs than its level keeps in flight", SLOW, async () => {
    await using ex = createExecutor({ mode: 'auto' });
    // The first START_LIMIT tasks wait for each other: until they have all started,
    // nothing finishes, and the map must not begin more (a read-ahead that only the window
    // bounded would begin all of them).
    gatherAt(START_LIMIT);
    const inputs = Array.from({ length: 4 * START_LIMIT }, (_, n) => n);
    assert.deepEqual(await collect(ex.map(autoTasks.gathered, inputs)), inputs);
    assert.equal(gatheredBeforeFirstDone(), START_LIMIT, 'the level, and no more, was begun');
  });

  it(
    'does not hang a map whose tasks wait for each other, though it reads ahead only what it uses',
    SLOW,
    async () => {
      await using ex = createExecutor({ mode: 'auto' });
      // Each task waits until 50 have started.
      gatherAt(50);
      const inputs = Array.from({ length: 200 }, (_, n) => n);
      assert.deepEqual(await collect(ex.map(autoTasks.gathered, inputs)), inputs);
      assert.equal(gatheredStarted(), inputs.length);
    },
  );
});

describe("auto's read-ahead", () => {
  it('holds as many inputs as its workers may run at most, and as many done', async () => {
    const runner = new AutoRunner({ mode: 'auto', workers: 4 }, runnerFor, ['loop', 'threads']);
    // Each worker also holds the next task at hand.
    assert.equal(runner.mapWindow, 2 * 4 * (MAX_TASKS_PER_WORKER + 1));
    await runner.close();
  });

  it("is the calling thread's own when the user bounds the tasks per worker", async () => {
    const runner = new AutoRunner({ mode: 'auto', workers: 4, tasksPerWorker: 8 }, runnerFor, [
      'loop',
      'threads',
    ]);
    assert.equal(runner.mapWindow, AUTO_MAP_WINDOW);
    await runner.close();
  });
});

/**
 * The `auto` runner, with real tasks, under a timeout: its tasks go to worker threads,
 * where a runaway one can be stopped, save those that cannot be copied there or loaded
 * there, which stay on the calling thread with the reason said.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createExecutor, task } from '../../../src/index.js';
import { collect } from '../../conformance/context.js';
import { SLOW, WORKLOADS, where } from './auto-executor.js';

describe('auto', () => {
  describe('with a timeout', () => {
    it(
      'runs no task on the calling thread, where a runaway one could not be stopped',
      SLOW,
      async () => {
        await using ex = createExecutor({ mode: 'auto', timeout: 10_000 });
        const ran = await collect(
          ex.map(
            where,
            Array.from({ length: 200 }, () => ({ ms: 1 })),
          ),
        );
        assert.ok(
          ran.every((id) => id > 0),
          `ran on ${[...new Set(ran)].join(', ')}`,
        );
        assert.equal(ex.decision?.mode, 'threads');
        assert.match(ex.decision?.history[0]?.reason ?? '', /timeout/);
      },
    );

    it('given to one map, sends that map to worker threads', SLOW, async () => {
      await using ex = createExecutor({ mode: 'auto' });
      const ran = await collect(
        ex.map(
          where,
          Array.from({ length: 50 }, () => ({})),
          { timeout: 10_000 },
        ),
      );
      assert.ok(
        ran.every((id) => id > 0),
        `ran on ${[...new Set(ran)].join(', ')}`,
      );
    });

    it(
      'keeps on the calling thread, and says why, a task whose inputs cannot be copied',
      SLOW,
      async () => {
        await using ex = createExecutor({ mode: 'auto', timeout: 10_000 });
        const inputs = Array.from({ length: 20 }, () => ({ ms: 1, onDone: () => {} }));
        const ran = await collect(ex.map(where, inputs));
        assert.deepEqual(new Set(ran), new Set([0]));
        assert.equal(ex.decision?.mode, 'loop');
        assert.match(ex.decision?.reason ?? '', /input\.onDone is a function/);
      },
    );

    it('runs an input that cannot be copied to a worker on the calling thread', SLOW, async () => {
      await using ex = createExecutor({ mode: 'auto', timeout: 10_000 });
      assert.ok((await ex.submit(where, { ms: 1 })) > 0, 'the work is on worker threads');
      const odd = { ms: 1, onDone: () => {} };
      assert.equal(await ex.submit(where, odd), 0);
      assert.ok((await ex.submit(where, { ms: 1 })) > 0, 'the rest stays on worker threads');
    });

    it(
      'keeps the tasks after a result a worker could not send back on the calling thread',
      SLOW,
      async () => {
        await using ex = createExecutor({ mode: 'auto', timeout: 10_000 });
        const handle = task<{ work: number }, { close: () => void }>(WORKLOADS, 'handle');
        // Moved to the workers by the timeout before any result was seen: the first is lost.
        await assert.rejects(ex.submit(handle, { work: 0 }), {
          name: 'SerializationError',
          path: 'output.close',
          problem: 'is a function',
        });
        const next = await ex.submit(handle, { work: 0 });
        assert.equal(typeof next.close, 'function');
        assert.equal(ex.decision?.mode, 'loop');
        assert.match(ex.decision?.reason ?? '', /output\.close is a function/);
      },
    );

    it(
      'stays on the calling thread for good once the workers cannot load the task',
      SLOW,
      async () => {
        await using ex = createExecutor({ mode: 'auto', timeout: 10_000 });
        const echo = task<{ n: number }, number>(
          new URL('../../fixtures/main-thread-only.mjs', import.meta.url),
          'echo',
        );
        // Each submit with a timeout asks for worker threads again: none may wait for them.
        for (let n = 0; n < 3; n++) assert.equal(await ex.submit(echo, { n }), n);
        assert.equal(ex.decision?.mode, 'loop');
        assert.match(ex.decision?.reason ?? '', /loads on the main thread only/);
      },
    );

    it('stops a task that loops forever, and the others go on', SLOW, async () => {
      await using ex = createExecutor({ mode: 'auto', timeout: 300 });
      const spin = task<number, number>(WORKLOADS, 'compute');
      const results = await collect(
        ex.mapSettled(spin, [1_000, Number.POSITIVE_INFINITY, 1_000, 1_000]),
      );
      const failed = results.filter((r) => !r.ok);
      assert.deepEqual(
        failed.map((r) => [r.index, (r as { error: Error }).error.name]),
        [[1, 'TimeoutError']],
      );
      assert.equal(results.length, 4);
    });
  });
});

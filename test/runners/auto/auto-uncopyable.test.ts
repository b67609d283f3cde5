/**
 * The `auto` runner, with real tasks, given work that cannot go to a worker thread: a plain
 * function, refused with a `TypeError` that says what to pass instead, and tasks whose
 * inputs or outputs cannot be copied, kept on the calling thread with the reason said.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createExecutor, task } from '../../../src/index.js';
import { collect } from '../../conformance/context.js';
import {
  assertSaid,
  autoExecutor,
  busy,
  MS_OF_WORK,
  SLOW,
  WORKLOADS,
  where,
} from './auto-executor.js';

describe('auto', () => {
  it('refuses a plain function with a TypeError that says why and what to pass instead', async () => {
    await using ex = createExecutor({ mode: 'auto' });
    const refused = (error: unknown) => {
      assert.ok(error instanceof TypeError, String(error));
      assert.match(error.message, /^auto: cannot run the plain function triple\(\)/);
      assert.match(error.message, /worker threads/);
      assert.match(
        error.message,
        /task\(new URL\('\.\/tasks\.js', import\.meta\.url\), 'triple'\)/,
      );
      assert.match(error.message, /mode: 'loop'/);
      return true;
    };
    const triple = (n: number) => n * 3;
    await assert.rejects(ex.submit(triple, 1), refused);
    await assert.rejects(collect(ex.map(triple, [1, 2, 3])), refused);
    await assert.rejects(collect(ex.mapSettled(triple, [1, 2, 3])), refused);
    const { workers, running, queued, completed, failed } = ex.stats();
    assert.deepEqual(
      { workers, running, queued, completed, failed },
      {
        workers: 0,
        running: 0,
        queued: 0,
        completed: 0,
        failed: 1,
      },
    );
    assert.equal(ex.decision, undefined, 'no task was taken');
  });

  it(
    'keeps a task whose inputs cannot be copied to a worker on the calling thread, and says why',
    SLOW,
    async () => {
      const ex = autoExecutor(busy(1));
      try {
        const inputs = Array.from({ length: 600 }, () => ({ work: MS_OF_WORK, onDone: () => {} }));
        const ran = await collect(ex.map(where, inputs));
        assert.equal(ran.length, 600);
        assert.ok(
          ran.every((id) => id === 0),
          'every task ran on the calling thread',
        );
        assertSaid(ex.decision, 'input.onDone is a function');
        assert.equal(ex.stats().workers, 0);
      } finally {
        await ex.close();
      }
    },
  );

  it(
    'keeps a task whose outputs cannot be copied back from a worker on the calling thread',
    SLOW,
    async () => {
      const ex = autoExecutor(busy(1));
      const handle = task<{ work: number }, { close: () => void }>(WORKLOADS, 'handle');
      try {
        const out = await collect(
          ex.map(
            handle,
            Array.from({ length: 600 }, () => ({ work: MS_OF_WORK })),
          ),
        );
        assert.ok(out.every((h) => typeof h.close === 'function'));
        assert.equal(ex.decision?.mode, 'loop');
        assertSaid(ex.decision, 'output.close is a function');
      } finally {
        await ex.close();
      }
    },
  );
});

/**
 * The `auto` runner's plumbing, with real tasks: where runs go as its controller decides —
 * on the calling thread or to worker threads, and back — and the decision users can read.
 * What cannot go to a worker is in `auto-uncopyable.test.ts`, a timeout's effect in
 * `auto-timeout.test.ts`, how a map is fed in `auto-map.test.ts`. Where a test needs the
 * controller to see a busy or an idle calling thread, it scripts the busy counters instead
 * of timing anything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createExecutor, type Decision, task } from '../../../src/index.js';
import { callingThread } from '../../../src/runners/auto/instruments.js';
import { workerMain } from '../../../src/runners/pool/transports/entry.js';
import { collect } from '../../conformance/context.js';
import { calls } from '../../fixtures/auto-tasks.mjs';
import {
  assertSaid,
  autoExecutor,
  autoTasks,
  busy,
  MS_OF_WORK,
  SLOW,
  WORKLOADS,
  where,
} from './auto-executor.js';

describe('auto', () => {
  it(
    'has no decision before its first task, then one with a reason and the moves behind it',
    SLOW,
    async () => {
      await using ex = createExecutor({ mode: 'auto' });
      assert.equal(ex.decision, undefined);
      const inputs = Array.from({ length: 300 }, (_, n) => ({ n }));
      const out = await collect(ex.map(task<{ n: number }, number>(WORKLOADS, 'io'), inputs));
      assert.deepEqual(
        out,
        inputs.map((i) => i.n),
      );
      // Read through a function: the assertion above narrowed `ex.decision` to undefined.
      const decision = ((): Decision | undefined => ex.decision)();
      assert.equal(decision?.mode, 'loop', decision?.reason);
      assert.match(decision?.reason ?? '', /\.$/);
      assert.ok(Array.isArray(decision?.history));
      assert.equal(ex.stats().mode, 'auto');
    },
  );

  it(
    "runs every input exactly once: what it measures are the caller's own runs",
    SLOW,
    async () => {
      await using ex = createExecutor({ mode: 'auto' });
      calls.clear();
      const settled = await collect(
        ex.mapSettled(
          autoTasks.counted,
          Array.from({ length: 500 }, (_, n) => n),
        ),
      );
      assert.equal(settled.length, 500);
      for (const s of settled)
        assert.deepEqual(s, { index: s.index, ok: true, value: s.index * 3 });
      // Tasks that wait stay on the calling thread, where this test counts their calls.
      assert.deepEqual(
        [...calls.values()].filter((n) => n !== 1),
        [],
      );
      assert.equal(calls.size, 500);
    },
  );

  it(
    'keeps waiting work on the calling thread and raises the number in flight, which stats() shows',
    SLOW,
    async () => {
      const ex = autoExecutor(busy(0.01));
      try {
        assert.equal(ex.stats().concurrency, 64);
        const ran = await collect(
          ex.map(
            where,
            Array.from({ length: 3_000 }, () => ({ ms: 5 })),
          ),
        );
        assert.deepEqual(new Set(ran), new Set([0]), 'every task ran on the calling thread');
        const decision = ex.decision!;
        assert.equal(decision.mode, 'loop');
        // It may end on a try of fewer after its best level; what it climbed to is in the history.
        const levels = [decision, ...decision.history].map((d) => d.concurrency);
        assert.ok(Math.max(...levels) > 64, `${levels.join(', ')}: ${decision.reason}`);
        assert.equal(ex.stats().concurrency, decision.concurrency);
        assert.equal(ex.stats().workers, 0, 'no worker was started');
      } finally {
        await ex.close();
      }
    },
  );

  it(
    'keeps the work on the calling thread, saturated or not, when each submit awaits the one before',
    SLOW,
    async () => {
      const ex = autoExecutor(busy(1));
      try {
        // Enough for a saturated run of 100 ms after the thread warmed up (a run that a
        // warming restart cut short left 300 tasks without a verdict now and then).
        const ran: number[] = [];
        for (let i = 0; i < 600; i++) ran.push(await ex.submit(where, { work: MS_OF_WORK }));
        assert.ok(
          ran.every((id) => id === 0),
          'every task ran on the calling thread',
        );
        assert.equal(ex.decision?.mode, 'loop');
        assertSaid(ex.decision, 'the tasks come one at a time');
      } finally {
        await ex.close();
      }
    },
  );

  it('moves the work to worker threads when the calling thread is saturated', SLOW, async () => {
    const ex = autoExecutor(busy(1));
    try {
      const ran = await collect(
        ex.map(
          where,
          Array.from({ length: 600 }, () => ({ work: MS_OF_WORK })),
        ),
      );
      assert.ok(
        ran.some((id) => id > 0),
        'some tasks ran on worker threads',
      );
      assert.equal(ex.decision?.history[0]?.mode, 'loop');
      assert.match(ex.decision?.history[0]?.reason ?? '', /bottleneck/);
      assert.ok(ex.stats().workers > 0);
    } finally {
      await ex.close();
    }
  });

  describe('a job too short to pay for starting worker threads', () => {
    // Worker threads would import this module for 400 ms before running a task: 150 tasks
    // of 2 ms are done on the calling thread sooner, however fast the workers then are.
    const compute = task<{ n: number; ms: number }, number>(
      new URL('../../fixtures/slow-import.mjs', import.meta.url),
      'compute',
    );
    const inputs = Array.from({ length: 150 }, (_, n) => ({ n, ms: 2 }));

    it(
      'stays on the calling thread when a map of an array shows all the work left, and says so',
      SLOW,
      async () => {
        await using ex = autoExecutor(busy(1));
        assert.deepEqual(
          await collect(ex.map(compute, inputs)),
          inputs.map((i) => i.n),
        );
        assert.equal(ex.decision?.mode, 'loop');
        assertSaid(ex.decision, 'tasks not yet begun would all be under way here within about');
        assert.equal(ex.stats().workers, 0, 'no worker was started');
      },
    );

    it('moves it all the same when submits leave the work to come unknown', SLOW, async () => {
      await using ex = autoExecutor(busy(1));
      const out = await Promise.all(inputs.map((input) => ex.submit(compute, input)));
      assert.deepEqual(
        out,
        inputs.map((i) => i.n),
      );
      assert.equal(ex.decision?.mode, 'threads', ex.decision?.reason);
    });
  });

  it(
    'stops the workers it began for a lazy initialisation once the tasks after it only wait',
    SLOW,
    async () => {
      // Worker threads take 5 s to load this module: they are still starting when the
      // first window after the long first call shows a calling thread with time to spare.
      const lazyInit = task<{ n: number; firstMs: number; waitMs: number }, number>(
        new URL('../../fixtures/slow-to-start.mjs', import.meta.url),
        'lazyInit',
      );
      // Run from source, the first worker to start bundles the worker program, which blocks
      // the calling thread for a while: done beforehand, as it never is from `dist/`.
      workerMain();
      const ex = createExecutor({ mode: 'auto', workers: 2 });
      try {
        const inputs = Array.from({ length: 3_000 }, (_, n) => ({ n, firstMs: 200, waitMs: 5 }));
        const out = await collect(ex.map(lazyInit, inputs));
        assert.deepEqual(
          out,
          inputs.map((i) => i.n),
        );
        assert.equal(ex.decision?.mode, 'loop', ex.decision?.reason);
        const moves = [...(ex.decision?.history ?? []), ex.decision].map((d) => d?.reason);
        assert.equal(
          ex.stats().workers,
          0,
          `workers still starting were stopped: ${moves.join(' ')}`,
        );
      } finally {
        await ex.close();
      }
    },
  );

  it(
    'keeps the work on worker threads once a task crashed one: on the calling thread the next would end the program',
    SLOW,
    async () => {
      const ex = autoExecutor(busy(1));
      const crashOnWorker = task<{ work: number; crash?: boolean }, number>(
        WORKLOADS,
        'crashOnWorker',
      );
      try {
        // Inputs that would crash a worker, every 25th of the 300 given once the work is
        // there: how soon it moves depends on how busy the machine is.
        let given = 0;
        async function* inputs() {
          let onThreads = -1;
          for (; given < 20_000; given++) {
            if (onThreads < 0 && ex.decision?.mode === 'threads') onThreads = given;
            if (onThreads >= 0 && given - onThreads >= 300) return;
            const crash = onThreads >= 0 && (given - onThreads) % 25 === 0;
            yield { work: MS_OF_WORK, crash };
          }
        }
        const settled = await collect(ex.mapSettled(crashOnWorker, inputs()));
        assert.equal(settled.length, given);
        const crashed = settled.filter((s) => !s.ok);
        const moves = [...(ex.decision?.history ?? []), ex.decision].map((d) => d?.reason);
        assert.ok(
          crashed.length > 0,
          `some of ${given} inputs crashed their worker: ${moves.join(' ')}`,
        );
        for (const s of crashed) assert.equal(s.ok ? '' : s.error.name, 'WorkerCrashedError');
        assert.equal(ex.decision?.mode, 'threads');
        assertSaid(ex.decision, 'crashed its worker thread (exit code 3)');
      } finally {
        await ex.close();
      }
    },
  );

  it('decides separately for each task', SLOW, async () => {
    const ex = autoExecutor(busy(1));
    try {
      await collect(
        ex.map(
          autoTasks.identity,
          Array.from({ length: 2_000 }, (_, n) => n),
        ),
      );
      const first = ex.decision;
      await collect(
        ex.map(
          where,
          Array.from({ length: 600 }, () => ({ work: MS_OF_WORK })),
        ),
      );
      assert.equal(first?.mode, 'loop');
      assert.notEqual(ex.decision, first);
      assert.equal(ex.decision?.history[0]?.mode, 'loop');
      assert.match(ex.decision?.history[0]?.reason ?? '', /bottleneck/);
    } finally {
      await ex.close();
    }
  });

  it(
    'lets the event loop turn while tasks compute after an await of something already settled',
    SLOW,
    async () => {
      // Without threads, which a calling thread busy computing would hand the work to: each
      // task's work runs on it, in a continuation, after its call has returned, and each one
      // that finishes lets the next start in the same chain of continuations.
      const ex = autoExecutor(callingThread(), ['loop']);
      const total = 400;
      let completed = 0;
      const seenByTimers: number[] = [];
      let ticking = true;
      const tick = () => {
        seenByTimers.push(completed);
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      try {
        for await (const _ of ex.map(
          autoTasks.afterAwait,
          Array.from({ length: total }, (_, n) => n),
        ))
          completed++;
      } finally {
        ticking = false;
        await ex.close();
      }
      assert.equal(completed, total);
      assert.ok(
        seenByTimers.some((n) => n > 0 && n < total),
        `the event loop turned only before or after the map: ${seenByTimers.join(', ')}`,
      );
    },
  );
});

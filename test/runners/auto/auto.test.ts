/**
 * The `auto` runner's plumbing, with real tasks: where runs go as its controller decides,
 * what a timeout changes, what users can read. Where a test needs the controller to see a
 * busy or an idle calling thread, it scripts the busy counters instead of timing anything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AutoOptions, ExecutorOptions, LoopOptions } from '../../../src/core/options.js';
import type { Runner } from '../../../src/core/runner.js';
import type { Mode } from '../../../src/core/types.js';
import { ExecutorFront } from '../../../src/executor/front.js';
import { createExecutor, type Decision, task, tasks } from '../../../src/index.js';
import { AutoRunner } from '../../../src/runners/auto/auto.js';
import { callingThread } from '../../../src/runners/auto/instruments.js';
import type { Instruments } from '../../../src/runners/auto/measures.js';
import {
  AUTO_MAP_WINDOW,
  MAX_TASKS_PER_WORKER,
  START_LIMIT,
} from '../../../src/runners/auto/settings.js';
import { eventLoopRunner } from '../../../src/runners/loop/loop.js';
import { threadsRunner } from '../../../src/runners/pool/threads.js';
import { workerMain } from '../../../src/runners/pool/transports/entry.js';
import {
  calls,
  gatherAt,
  gatheredBeforeFirstDone,
  gatheredStarted,
} from '../../fixtures/auto-tasks.mjs';

const WORKLOADS = new URL('../../fixtures/workloads.mjs', import.meta.url);
const where = task<{ ms?: number; work?: number }, number>(WORKLOADS, 'where');
/**
 * Tasks whose state this test reads (`calls`, `gatheredStarted`) in the module imported
 * above, as long as they run on the calling thread.
 */
const autoTasks = tasks<typeof import('../../fixtures/auto-tasks.mjs')>(
  new URL('../../fixtures/auto-tasks.mjs', import.meta.url),
);
/** Iterations of `compute` that take about a millisecond. */
const MS_OF_WORK = 300_000;
const SLOW = { timeout: 120_000 };

/** A calling thread that reads as busy `share` of the time, whatever it really does. */
function busy(share: number): Instruments {
  return {
    now: () => performance.now(),
    busy: () => {
      const t = performance.now();
      return { cpuMs: share * t, idleMs: (1 - share) * t };
    },
  };
}

/** The runners `createExecutor` would make, for `auto` to hand work to. */
function runnerFor(options: ExecutorOptions): Runner {
  return options.mode === 'threads'
    ? threadsRunner(options)
    : eventLoopRunner('loop', (options as LoopOptions).concurrency ?? 64);
}

/** An `auto` executor whose controllers read `instruments`. */
function autoExecutor(
  instruments: Instruments,
  available: readonly Mode[] = ['loop', 'threads'],
  options: Omit<AutoOptions, 'mode'> = {},
) {
  const runner = new AutoRunner(
    { mode: 'auto', workers: 2, ...options },
    runnerFor,
    available,
    instruments,
  );
  return new ExecutorFront(runner, options);
}

/** `text` is in the decision's reason or in the reason of one of the moves before it. */
function assertSaid(decision: Decision | undefined, text: string): void {
  const reasons = [decision?.reason, ...(decision?.history ?? []).map((h) => h.reason)];
  assert.ok(
    reasons.some((r) => r?.includes(text)),
    reasons.join('\n'),
  );
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

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

  describe('tiny tasks kept on the calling thread', () => {
    /** An executor without threads whose map chunks are counted as they reach auto. */
    const counting = () => {
      const auto = new AutoRunner({ mode: 'auto' }, runnerFor, ['loop'], busy(1));
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

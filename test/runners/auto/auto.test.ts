import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AutoOptions, ExecutorOptions, LoopOptions } from '../../../src/core/options.js';
import type { Runner } from '../../../src/core/runner.js';
import { ExecutorFront } from '../../../src/executor/front.js';
import { createExecutor, type Decision, task } from '../../../src/index.js';
import { AutoRunner } from '../../../src/runners/auto/auto.js';
import { eventLoopRunner } from '../../../src/runners/loop/loop.js';
import { threadsRunner } from '../../../src/runners/pool/threads.js';

const WORKLOADS = new URL('../../fixtures/workloads.mjs', import.meta.url);
const SLOW = { timeout: 120_000 };

describe('auto', () => {
  it(
    'has no decision before its first task, then a decision with a reason once it has sampled',
    SLOW,
    async () => {
      await using ex = createExecutor({ mode: 'auto' });
      assert.equal(ex.decision, undefined);
      const inputs = Array.from({ length: 60 }, (_, n) => ({ n }));
      const out: number[] = [];
      for await (const v of ex.map(task<{ n: number }, number>(WORKLOADS, 'io'), inputs))
        out.push(v);
      assert.deepEqual(
        out,
        inputs.map((i) => i.n),
      );
      // Read through a function: the assertion above narrowed `ex.decision` to undefined.
      const decision = ((): Decision | undefined => ex.decision)();
      assert.equal(decision?.mode, 'loop');
      assert.equal(typeof decision?.reason, 'string');
      assert.equal(ex.stats().mode, 'auto');
    },
  );

  it("runs every input exactly once: the sample's results are kept, not re-run", SLOW, async () => {
    await using ex = createExecutor({ mode: 'auto' });
    const calls = new Map<number, number>();
    const counted = async (n: number) => {
      calls.set(n, (calls.get(n) ?? 0) + 1);
      await sleep(2);
      return n * 3;
    };
    const settled = [];
    for await (const s of ex.mapSettled(
      counted,
      Array.from({ length: 100 }, (_, n) => n),
    ))
      settled.push(s);
    assert.equal(settled.length, 100);
    for (const s of settled) assert.deepEqual(s, { index: s.index, ok: true, value: s.index * 3 });
    assert.deepEqual(
      [...calls.values()].filter((n) => n !== 1),
      [],
    );
    assert.equal(calls.size, 100);
    assert.ok(ex.decision, 'decided after the sample');
  });

  it(
    'sends the rest of a map to threads in chunks when it chose chunked threads for tiny tasks',
    SLOW,
    async () => {
      // The runners auto hands work to, with the threads one counting the chunks it is sent.
      const sent: number[] = [];
      const runnerFor = (options: ExecutorOptions): Runner => {
        if (options.mode !== 'threads')
          return eventLoopRunner('loop', (options as LoopOptions).concurrency ?? 1);
        const threads = threadsRunner(options);
        return {
          ...threads,
          runChunk: (prepared, chunk) => {
            sent.push(chunk.inputs.length);
            return threads.runChunk!(prepared, chunk);
          },
        };
      };
      const options: ExecutorOptions = { mode: 'auto', workers: 2 };
      const ex = new ExecutorFront(new AutoRunner(options, runnerFor, ['loop', 'threads']));
      try {
        const inputs = Array.from({ length: 4_000 }, (_, n) => ({ n }));
        const out: number[] = [];
        for await (const v of ex.map(task<{ n: number }, number>(WORKLOADS, 'short'), inputs))
          out.push(v);
        assert.deepEqual(
          out,
          inputs.map((i) => i.n),
        );
        assert.equal(ex.decision?.mode, 'threads', ex.decision?.reason);
        assert.equal(ex.decision?.workload, 'tiny');
        // Every input not sampled went to the threads, and most of them in chunks of several.
        const inChunks = sent.filter((size) => size > 1);
        assert.ok(inChunks.length > 0, `chunk sizes: ${sent.join(',')}`);
        assert.ok(
          inChunks.reduce((a, b) => a + b, 0) > inputs.length / 2,
          `chunk sizes: ${sent.join(',')}`,
        );
      } finally {
        await ex.close();
      }
    },
  );

  describe('tiny tasks it keeps on the calling thread', () => {
    /** An executor whose map chunks are counted as they reach auto. */
    const counting = (options: AutoOptions = { mode: 'auto' }) => {
      const auto = new AutoRunner(
        options,
        (o) => eventLoopRunner('loop', (o as LoopOptions).concurrency ?? 1),
        ['loop'],
      );
      const sizes: number[] = [];
      const runChunk = auto.runChunk.bind(auto);
      auto.runChunk = (profiled, chunk) => {
        sizes.push(chunk.inputs.length);
        return runChunk(profiled, chunk);
      };
      return { ex: new ExecutorFront(auto), sizes };
    };
    const inputs = Array.from({ length: 5_000 }, (_, n) => n);

    it('starts the rest of a map in chunks there, each input once', SLOW, async () => {
      const { ex, sizes } = counting();
      const calls = new Map<number, number>();
      const triple = (n: number) => {
        calls.set(n, (calls.get(n) ?? 0) + 1);
        return n * 3;
      };
      try {
        const out: number[] = [];
        for await (const v of ex.map(triple, inputs)) out.push(v);
        assert.deepEqual(
          out,
          inputs.map((n) => n * 3),
        );
        assert.equal(calls.size, inputs.length);
        assert.deepEqual(
          [...calls.values()].filter((n) => n !== 1),
          [],
        );
        assert.equal(ex.decision?.workload, 'tiny', ex.decision?.reason);
        assert.equal(ex.decision?.mode, 'loop');
        assert.ok((ex.decision?.chunkSize ?? 0) > 1, ex.decision?.reason);
        const inChunks = sizes.filter((size) => size > 1).reduce((a, b) => a + b, 0);
        assert.ok(inChunks > inputs.length / 2, `chunk sizes: ${sizes.join(',')}`);
      } finally {
        await ex.close();
      }
    });

    it('fails only the input that threw in a chunk, as a TaskError', SLOW, async () => {
      const { ex } = counting();
      const picky = (n: number) => {
        if (n === 4_321) throw new Error('not this one');
        return n;
      };
      try {
        const failed = [];
        let ok = 0;
        for await (const s of ex.mapSettled(picky, inputs)) {
          if (s.ok) ok++;
          else failed.push(s);
        }
        assert.equal(ok, inputs.length - 1);
        assert.equal(failed.length, 1);
        assert.equal(failed[0]!.index, 4_321);
        assert.equal(failed[0]!.error.name, 'TaskError');
      } finally {
        await ex.close();
      }
    });

    it(
      'sends them one at a time when the map has a timeout: each keeps its own',
      SLOW,
      async () => {
        const { ex, sizes } = counting();
        try {
          let count = 0;
          for await (const _ of ex.map((n: number) => n, inputs, { timeout: 10_000 })) count++;
          assert.equal(count, inputs.length);
          assert.ok((ex.decision?.chunkSize ?? 0) > 1, ex.decision?.reason);
          assert.deepEqual(new Set(sizes), new Set([1]));
        } finally {
          await ex.close();
        }
      },
    );
  });

  it(
    'does not hang a map whose tasks wait for each other, though it reads ahead only what its sample uses',
    SLOW,
    async () => {
      await using ex = createExecutor({ mode: 'auto' });
      // Each task waits until 50 have started: more than the sample runs at first.
      let started = 0;
      let release!: () => void;
      const all = new Promise<void>((resolve) => {
        release = resolve;
      });
      const gathered = async (n: number) => {
        if (++started === 50) release();
        await all;
        return n;
      };
      const inputs = Array.from({ length: 200 }, (_, n) => n);
      const out: number[] = [];
      for await (const v of ex.map(gathered, inputs)) out.push(v);
      assert.deepEqual(out, inputs);
      assert.equal(started, inputs.length);
    },
  );

  it('decides separately for each task', SLOW, async () => {
    await using ex = createExecutor({ mode: 'auto' });
    const io = task<{ n: number }, number>(WORKLOADS, 'io');
    const cpu = task<{ n: number }, number>(WORKLOADS, 'cpu');
    const inputs = Array.from({ length: 24 }, (_, n) => ({ n }));
    for await (const _ of ex.map(io, inputs));
    const first = ex.decision;
    for await (const _ of ex.map(cpu, inputs));
    assert.equal(first?.mode, 'loop');
    assert.notEqual(ex.decision, first);
    assert.equal(ex.decision?.workload, 'cpu-bound');
  });
});

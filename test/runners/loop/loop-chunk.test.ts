import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledError, TaskError } from '../../../src/core/errors.js';
import type { ChunkRun } from '../../../src/core/runner.js';
import type { TaskFunction } from '../../../src/core/task.js';
import { runChunkInThread } from '../../../src/runners/loop/loop.js';

const chunk = (inputs: unknown[], over: Partial<ChunkRun> = {}): ChunkRun => ({
  inputs,
  controller: new AbortController(),
  timeout: undefined,
  progress: () => {},
  ended: () => {},
  ...over,
});

const run = (fn: TaskFunction<never, unknown>, c: ChunkRun) =>
  runChunkInThread(fn as TaskFunction<unknown, unknown>, c);

describe('a chunk run on the calling thread', () => {
  it('runs each input once and gives back each value at its offset', async () => {
    const seen: number[] = [];
    const outcome = await run(
      (n: number) => {
        seen.push(n);
        return n * 2;
      },
      chunk([1, 2, 3]),
    );
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(outcome.values, [2, 4, 6]);
    assert.equal(outcome.failures, undefined);
  });

  it('fails an input that throws or rejects on its own, as a TaskError, and keeps the others', async () => {
    const outcome = await run(
      async function flaky(n: number) {
        if (n === 1) throw new Error('one is bad');
        if (n === 2) return Promise.reject(new RangeError('two is worse'));
        return n;
      },
      chunk([0, 1, 2, 3]),
    );
    assert.equal(outcome.values[0], 0);
    assert.equal(outcome.values[3], 3);
    assert.deepEqual([...outcome.failures!.keys()].sort(), [1, 2]);
    for (const error of outcome.failures!.values()) assert.ok(error instanceof TaskError);
    assert.match(outcome.failures!.get(1)!.message, /one is bad/);
    assert.equal((outcome.failures!.get(2)!.cause as Error).name, 'RangeError');
  });

  it('fails a synchronous throw alone too', async () => {
    const outcome = await run(
      (n: number) => {
        if (n === 0) throw new Error('sync failure');
        return n;
      },
      chunk([0, 1]),
    );
    assert.equal(outcome.values[1], 1);
    assert.match(outcome.failures!.get(0)!.message, /sync failure/);
  });

  it('starts every input before awaiting any: asynchronous ones overlap', async () => {
    const events: string[] = [];
    const outcome = await run(
      async (n: number) => {
        events.push(`start ${n}`);
        await sleep(10);
        events.push(`end ${n}`);
        return n;
      },
      chunk([0, 1, 2]),
    );
    assert.deepEqual(events.slice(0, 3), ['start 0', 'start 1', 'start 2']);
    assert.deepEqual(outcome.values, [0, 1, 2]);
  });

  it("reports each input's progress with its offset in the chunk", async () => {
    const reports: [unknown, number][] = [];
    await run(
      (n: number, ctx) => {
        ctx.progress(n * 10);
        return n;
      },
      chunk([0, 1, 2], { progress: (value, offset) => reports.push([value, offset]) }),
    );
    assert.deepEqual(reports, [
      [0, 0],
      [10, 1],
      [20, 2],
    ]);
  });

  it('rejects as a whole, at once, when cancelled, and starts no input after that', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const running = run(
      async (n: number) => {
        started.push(n);
        if (n === 1) controller.abort();
        await sleep(60_000, undefined, { ref: false });
        return n;
      },
      chunk([0, 1, 2, 3], { controller }),
    );
    await assert.rejects(running, CancelledError);
    assert.deepEqual(started, [0, 1]);
  });

  it('rejects at once when cancelled before it starts, running nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    let ran = false;
    await assert.rejects(
      run(
        () => {
          ran = true;
        },
        chunk([0], { controller }),
      ),
      CancelledError,
    );
    assert.equal(ran, false);
  });
});

/**
 * Checks shared by the distributed tests: that promises settle (and which did not, when
 * some never do), and ways to stall the calling thread as a busy or paused process would.
 */
import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import type { Executor, Task } from '../../../src/index.js';

/** How long the promises may all stay pending before they are taken to hang: far beyond any slow machine. */
const STUCK_MS = 90_000;

/**
 * Resolves with every promise's outcome; fails the test, saying how many never settled,
 * once none has settled for {@link STUCK_MS} — a hang, reported instead of waited out.
 */
export async function settleAll<T>(
  promises: readonly Promise<T>[],
): Promise<PromiseSettledResult<T>[]> {
  let settled = 0;
  let lastProgress = performance.now();
  const all = Promise.allSettled(
    promises.map((promise) =>
      promise.finally(() => {
        settled++;
        lastProgress = performance.now();
      }),
    ),
  );
  let done = false;
  all.finally(() => {
    done = true;
  });
  while (!done) {
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    if (!done && performance.now() - lastProgress > STUCK_MS) {
      assert.fail(`${promises.length - settled} of ${promises.length} promises never settled`);
    }
  }
  return all;
}

/** Submits each input in a turn of its own, so that each becomes a BullMQ job of its own. */
export async function submitApart<I, O>(
  ex: Executor,
  task: Task<I, O>,
  inputs: readonly I[],
): Promise<Promise<O>[]> {
  const promises: Promise<O>[] = [];
  for (const input of inputs) {
    const promise = ex.submit(task, input);
    promise.catch(() => {});
    promises.push(promise);
    await turn();
  }
  return promises;
}

/** Blocks this thread's event loop for `ms` without using the CPU, as a paused process would. */
export function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Stand-ins for `auto`'s one-worker `threads` runners, for the tests of its worker threads
 * (`workers.test.ts`) and of their start ahead of a move (`worker-start.test.ts`).
 */
import type { Runner, RunnerLoad } from '../../../src/core/runner.js';
import { task } from '../../../src/index.js';
import { WorkerThreads } from '../../../src/runners/auto/workers.js';

export const TASK = task(new URL('../../fixtures/workloads.mjs', import.meta.url), 'io');

const LOAD: RunnerLoad = { workers: 1, running: 0, queued: 0, retried: 0, utilization: 0 };

/** A one-worker runner that loads a task when the test says, and says when it was closed. */
export class StartingRunner {
  readonly mode = 'threads';
  readonly concurrency = 1;
  readonly mapWindow = 1;
  closed = false;
  readonly #loads: { resolve: (value: string) => void; reject: (error: Error) => void }[] = [];

  prepare(): Promise<string> {
    return new Promise((resolve, reject) => this.#loads.push({ resolve, reject }));
  }

  /** The loads asked for so far finish. */
  finish(): void {
    for (const load of this.#loads.splice(0)) load.resolve('loaded');
  }

  run(): Promise<unknown> {
    return Promise.reject(new Error('not in these tests'));
  }

  load(): RunnerLoad {
    return LOAD;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const load of this.#loads.splice(0)) load.reject(new Error('closed'));
  }
}

/** A starting runner whose worker, once told to stop, ends only when the test says ({@link end}). */
export class SlowToStop extends StartingRunner {
  ended = false;
  #end = () => {};

  override close(): Promise<void> {
    const closing = super.close();
    return new Promise((resolve) => {
      this.#end = () => {
        this.ended = true;
        resolve(closing);
      };
    });
  }

  end(): void {
    this.#end();
  }
}

/** `count` worker threads made of the runners `make` returns, and those made so far. */
export function fakeWorkerThreads<R extends StartingRunner>(make: () => R, count = 2) {
  const made: R[] = [];
  const threads = new WorkerThreads(count, () => {
    const runner = make();
    made.push(runner);
    return runner as unknown as Runner;
  });
  return { threads, made };
}

/** Lets promises settled so far run their callbacks. */
export const settled = () => new Promise((resolve) => setImmediate(resolve));

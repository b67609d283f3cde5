/**
 * What the executor front tells its runner about a `submit`'s task: refusable past
 * `maxQueue` when it reaches the runner at once, not once it was accepted while its module
 * loaded — and a submit either way, which `auto` reads as "more may come".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Runner, TaskRun } from '../../src/core/runner.js';
import { task as taskOf } from '../../src/core/task.js';
import { ExecutorFront } from '../../src/executor/front.js';

/** A runner whose task module loads when `load()` is called; it records every run and ends it. */
function recordingRunner() {
  const runs: TaskRun[] = [];
  let ready: string | undefined;
  let loaded: (prepared: string) => void = () => {};
  const loading = new Promise<string>((resolve) => {
    loaded = resolve;
  });
  const runner: Runner<string> = {
    mode: 'loop',
    concurrency: 4,
    mapWindow: 8,
    prepare: () => loading,
    prepared: () => ready,
    run(_task, run) {
      runs.push(run);
      run.ended(1, 0);
      return Promise.resolve(run.input);
    },
    load: () => ({ workers: 0, running: 0, queued: 0, retried: 0, utilization: 0 }),
    close: () => Promise.resolve(),
  };
  const load = () => {
    ready = 'task';
    loaded(ready);
  };
  return { runner, runs, load };
}

describe("the runner's view of a submit", () => {
  it('marks every submit as one, refusable only where it reaches the runner at once', async () => {
    const { runner, runs, load } = recordingRunner();
    const ex = new ExecutorFront(runner, { maxQueue: 10 });
    const task = taskOf<string | number, unknown>(new URL('./never-loaded.js', import.meta.url));
    const early = ex.submit(task, 'while loading');
    await Promise.resolve();
    assert.equal(runs.length, 0, 'nothing reaches the runner before its module has loaded');
    load();
    assert.equal(await early, 'while loading');
    assert.equal(await ex.submit(task, 'once loaded'), 'once loaded');
    assert.deepEqual(
      runs.map(({ input, refusable, submitted }) => ({ input, refusable, submitted })),
      [
        { input: 'while loading', refusable: false, submitted: true },
        { input: 'once loaded', refusable: true, submitted: true },
      ],
    );
    await ex.close();
  });

  it("marks no map's input as a submit", async () => {
    const { runner, runs, load } = recordingRunner();
    const ex = new ExecutorFront(runner);
    const task = taskOf<string | number, unknown>(new URL('./never-loaded.js', import.meta.url));
    const first = ex.submit(task, 0);
    load();
    await first;
    const outputs: unknown[] = [];
    for await (const output of ex.map(task, [1, 2, 3])) outputs.push(output);
    assert.deepEqual(outputs, [1, 2, 3]);
    assert.deepEqual(
      runs.slice(1).map(({ refusable, submitted }) => ({ refusable, submitted })),
      Array(3).fill({ refusable: undefined, submitted: undefined }),
    );
    await ex.close();
  });
});

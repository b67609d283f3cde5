/**
 * The pool core's first use of a task, message by message over a scripted transport: work
 * starts on the first worker that has loaded the task, never on one still loading it, and
 * every worker starts at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskNotFoundError } from '../../../src/core/errors.js';
import { task } from '../../../src/core/task.js';
import { toWire } from '../../../src/core/wire.js';
import type { PoolOptions } from '../../../src/runners/pool/pool.js';
import {
  closeAll,
  runs,
  type ScriptedWorker,
  scripted,
  scriptedPool,
  submit,
  tick,
} from './scripted-transport.js';

/** Answers every run `worker` has been sent so far with its input. */
function answerRuns(worker: ScriptedWorker): void {
  for (const run of runs(worker)) {
    worker.events.message([{ kind: 'done', jobId: run.jobId, values: run.inputs, ms: 0.01 }]);
  }
  worker.sent.length = 0;
}

/** A scripted pool with `options`, a turn after it was asked to load export `name`. */
async function firstUse(name: string, options: Partial<PoolOptions>) {
  const { spec, workers } = scripted();
  const pool = scriptedPool(spec, options);
  const known = pool.task(task(new URL('file:///nowhere/tasks.js'), name));
  const probed = pool.probe(known);
  await tick();
  return { pool, workers, task: known, probed };
}

describe('pool core: a task used for the first time', () => {
  it('starts work on the first worker to load the task; one still loading takes none until it answers', async () => {
    const {
      pool,
      workers,
      task: echo,
      probed,
    } = await firstUse('echo', { workers: 2, minWorkers: 2 });
    const [slow, quick] = workers;
    assert.ok(slow && quick, 'minWorkers workers started');
    for (const worker of workers) assert.ok(worker.sent.some((m) => m.kind === 'load'));

    quick.events.message([{ kind: 'loaded', taskId: echo.taskId }]);
    await probed;
    const outputs = [submit(pool, echo, 1), submit(pool, echo, 2)];
    await tick();
    assert.equal(runs(quick).length, 1, 'the loaded worker took one job');
    assert.equal(runs(slow).length, 0, 'the worker still loading took none');

    slow.events.message([{ kind: 'loaded', taskId: echo.taskId }]);
    await tick();
    assert.equal(runs(slow).length, 1, 'once loaded, it takes the job that waited');
    answerRuns(quick);
    answerRuns(slow);
    assert.deepEqual((await Promise.all(outputs)).sort(), [1, 2]);
    await closeAll(pool, workers);
  });

  it('rejects as soon as one worker finds the export missing, without waiting for the others', async () => {
    const {
      pool,
      workers,
      task: missing,
      probed,
    } = await firstUse('gone', {
      workers: 2,
      minWorkers: 2,
    });
    // What a worker's loader answers, in the wire form every error crosses in.
    const error = toWire(
      new TaskNotFoundError(missing.ref.moduleUrl, 'gone', "no export named 'gone'"),
    );
    workers[1]!.events.message([{ kind: 'loaded', taskId: missing.taskId, error }]);
    await assert.rejects(
      probed,
      (e) => e instanceof TaskNotFoundError && e.exportName === 'gone' && /gone/.test(e.message),
    );
    await closeAll(pool, workers);
  });

  it('starts every worker at the first use of a task (not only minWorkers), so that a burst finds them all', async () => {
    const {
      pool,
      workers,
      task: echo,
      probed,
    } = await firstUse('echo', { workers: 3, minWorkers: 1 });
    assert.equal(workers.length, 3);
    for (const worker of workers) assert.ok(worker.sent.some((m) => m.kind === 'load'));
    for (const worker of workers) worker.events.message([{ kind: 'loaded', taskId: echo.taskId }]);
    await probed;
    const outputs = [1, 2, 3].map((input) => submit(pool, echo, input));
    await tick();
    assert.deepEqual(
      workers.map((worker) => runs(worker).length),
      [1, 1, 1],
      'one job each',
    );
    for (const worker of workers) answerRuns(worker);
    assert.deepEqual(await Promise.all(outputs), [1, 2, 3]);
    await closeAll(pool, workers);
  });
});

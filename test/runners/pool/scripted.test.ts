/**
 * The pool core over a transport the test drives by hand, message by message: what counts
 * as running or queued, when a timeout's clock starts, what `maxQueue` refuses, and how the
 * pool refills after workers that die before they say anything. Only a scripted transport
 * can force these orders of events.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueueFullError, TimeoutError } from '../../../src/core/errors.js';
import { task } from '../../../src/core/task.js';
import type { Pool, PoolOptions, PoolTask } from '../../../src/runners/pool/pool.js';
import type { RunMessage } from '../../../src/runners/pool/protocol.js';
import type { TransportSpec } from '../../../src/runners/pool/transport.js';
import {
  closeAll,
  runs,
  type ScriptedWorker,
  scripted,
  scriptedPool,
  submit,
  tick,
} from './scripted-transport.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pool whose workers have all loaded task `echo`. */
async function loadedPool(options: Partial<PoolOptions> = {}) {
  const { spec, workers } = scripted();
  const pool = scriptedPool(spec, options);
  const echo = pool.task(task(new URL('file:///nowhere/tasks.js'), 'echo'));
  const probed = pool.probe(echo);
  await tick();
  for (const worker of workers) worker.events.message([{ kind: 'loaded', taskId: echo.taskId }]);
  await probed;
  return { pool, workers, echo };
}

/** Answers run `run` with its input, as done in `ms`. */
function answer(worker: ScriptedWorker, run: RunMessage, ms = 0.01): void {
  worker.events.message([{ kind: 'done', jobId: run.jobId, values: run.inputs, ms }]);
}

/** One quick answer teaches the pool that jobs are short: later ones are sent ahead to a busy worker. */
async function teachShortJobs(pool: Pool, worker: ScriptedWorker, echo: PoolTask): Promise<void> {
  const first = submit(pool, echo, 0);
  await tick();
  answer(worker, runs(worker)[0]!);
  await first;
  worker.sent.length = 0;
}

describe('pool core: the mirror of what a worker runs', () => {
  it('a job sent ahead to a busy worker counts as queued until its worker starts it', async () => {
    const { pool, workers, echo } = await loadedPool();
    const [worker] = workers as [ScriptedWorker];
    await teachShortJobs(pool, worker, echo);
    const outputs = [1, 2, 3].map((n) => submit(pool, echo, n));
    await tick();
    assert.equal(runs(worker).length, 3, 'all three sent to the one worker');
    assert.deepEqual([pool.stats().running, pool.stats().queued], [1, 2]);
    answer(worker, runs(worker)[0]!);
    assert.deepEqual([pool.stats().running, pool.stats().queued], [1, 1]);
    for (const run of runs(worker).slice(1)) answer(worker, run);
    assert.deepEqual(await Promise.all(outputs), [1, 2, 3]);
    assert.deepEqual([pool.stats().running, pool.stats().queued], [0, 0]);
    await closeAll(pool, workers);
  });

  it('sends no job ahead to a busy worker while another is still loading the task: that one takes it', async () => {
    const { spec, workers } = scripted();
    const pool = scriptedPool(spec, { workers: 2, minWorkers: 2 });
    const echo = pool.task(task(new URL('file:///nowhere/tasks.js'), 'echo'));
    const probed = pool.probe(echo);
    await tick();
    const [quick, slow] = workers as [ScriptedWorker, ScriptedWorker];
    quick.events.message([{ kind: 'loaded', taskId: echo.taskId }]);
    await probed;
    await teachShortJobs(pool, quick, echo);
    const outputs = ['long', 'also long'].map((n) => submit(pool, echo, n));
    await tick();
    assert.deepEqual(
      runs(quick).map((run) => run.inputs[0]),
      ['long'],
      'the second job waits for the loading worker',
    );
    slow.events.message([{ kind: 'loaded', taskId: echo.taskId }]);
    await tick();
    assert.deepEqual(
      runs(slow).map((run) => run.inputs[0]),
      ['also long'],
    );
    answer(quick, runs(quick)[0]!);
    answer(slow, runs(slow)[0]!);
    assert.deepEqual(await Promise.all(outputs), ['long', 'also long']);
    await closeAll(pool, workers);
  });

  it('sends no job ahead to a busy worker while another winds down a cancelled job: that one takes it', async () => {
    const { pool, workers, echo } = await loadedPool({ workers: 2, minWorkers: 2 });
    const [first, second] = workers as [ScriptedWorker, ScriptedWorker];
    await teachShortJobs(pool, first, echo);
    const quick = submit(pool, echo, 'quick');
    const controller = new AbortController();
    const cancelled = submit(pool, echo, 'cancelled', { controller });
    await tick();
    answer(first, runs(first)[0]!);
    await quick;
    controller.abort();
    await assert.rejects(cancelled);
    // The second worker has not answered the cancel yet: it still runs the task.
    const outputs = ['long', 'next'].map((n) => submit(pool, echo, n));
    await tick();
    const inputsOf = (worker: ScriptedWorker) => runs(worker).map((run) => run.inputs[0]);
    assert.deepEqual(
      inputsOf(first),
      ['quick', 'long'],
      'nothing is sent ahead behind the long job',
    );
    assert.deepEqual(inputsOf(second), ['cancelled']);
    answer(second, runs(second)[0]!);
    await tick();
    assert.deepEqual(
      inputsOf(second),
      ['cancelled', 'next'],
      'the worker that wound down takes it',
    );
    answer(first, runs(first)[1]!);
    answer(second, runs(second)[1]!);
    assert.deepEqual(await Promise.all(outputs), ['long', 'next']);
    await closeAll(pool, workers);
  });

  it("a job's timeout clock starts when its worker announces its start, not when it is sent", async () => {
    const { pool, workers, echo } = await loadedPool();
    const [worker] = workers as [ScriptedWorker];
    await teachShortJobs(pool, worker, echo);
    const blocking = submit(pool, echo, 'long');
    const timed = submit(pool, echo, 'timed', { timeout: 50 });
    let timedOut = false;
    timed.catch(() => {
      timedOut = true;
    });
    await tick();
    const [long, watched] = runs(worker);
    assert.equal(watched?.watch, 'start', 'a job with a timeout is watched');
    await pause(250);
    assert.equal(timedOut, false, 'no clock while it waits behind another job');
    answer(worker, long!);
    worker.events.message([{ kind: 'started', jobId: watched!.jobId, offset: 0 }]);
    await assert.rejects(timed, TimeoutError);
    assert.ok(
      worker.sent.some((m) => m.kind === 'cancel' && m.jobId === watched!.jobId),
      'the worker is told, so the task sees its signal',
    );
    assert.equal(await blocking, 'long');
    await closeAll(pool, workers);
  });
});

describe('pool core: maxQueue', () => {
  it('refuses a refusable job past maxQueue at once, keeps nothing, and ready() resolves once there is room', async () => {
    const { pool, workers, echo } = await loadedPool({ maxQueue: 2 });
    const [worker] = workers as [ScriptedWorker];
    const accepted = [0, 1, 2].map((n) => submit(pool, echo, n, { refusable: true }));
    await tick();
    assert.deepEqual([pool.stats().running, pool.stats().queued], [1, 2]);
    await assert.rejects(submit(pool, echo, 3, { refusable: true }), QueueFullError);
    assert.equal(pool.stats().queued, 2, 'the refused job was not kept');
    // A map's job is not refused: it waits with the others.
    const mapped = submit(pool, echo, 4);
    assert.equal(pool.stats().queued, 3);
    let ready = false;
    const room = pool.ready().then(() => {
      ready = true;
    });
    await tick();
    assert.equal(ready, false, 'no room while the queue is full');
    answer(worker, runs(worker)[0]!);
    await tick();
    answer(worker, runs(worker)[1]!);
    await room;
    assert.equal(pool.stats().queued, 1);
    const later = submit(pool, echo, 5, { refusable: true });
    await tick();
    for (const run of runs(worker).slice(2)) answer(worker, run);
    assert.deepEqual(await Promise.all([...accepted, mapped, later]), [0, 1, 2, 4, 5]);
    await closeAll(pool, workers);
  });
});

describe('pool core: refilling after deaths', () => {
  it('a worker that dies before it answers is replaced after a delay that doubles, and the pool is whole once one answers', async () => {
    const { spec, workers } = scripted();
    const spawnedAt: number[] = [];
    let lethal = false;
    // Every worker started while `lethal` dies before it says anything.
    const dying: TransportSpec = {
      name: spec.name,
      spawn(settings, events) {
        const transport = spec.spawn(settings, events);
        spawnedAt.push(performance.now());
        if (lethal) setImmediate(() => events.exit({ exitCode: 1 }));
        return transport;
      },
    };
    const pool = scriptedPool(dying, { workers: 1 });
    const echo = pool.task(task(new URL('file:///nowhere/tasks.js'), 'echo'));
    const probed = pool.probe(echo);
    await tick();
    workers[0]!.events.message([{ kind: 'loaded', taskId: echo.taskId }]);
    await probed;
    lethal = true;
    // It had answered: replaced at once. Its replacement has not: replaced later, and so on.
    workers[0]!.events.exit({ exitCode: 1 });
    while (spawnedAt.length < 6) await pause(10);
    lethal = false;
    const gaps = spawnedAt.slice(2).map((at, i) => at - spawnedAt[i + 1]!);
    gaps.forEach((gap, i) => {
      // Timers never fire early, so each delay is at least its scheduled length.
      assert.ok(gap >= 50 * 2 ** i - 1, `delay ${i} was ${gap} ms; all: ${gaps.join(', ')}`);
    });
    while (spawnedAt.length < 7) await pause(10);
    const survivor = workers.at(-1)!;
    survivor.events.message([{ kind: 'loaded', taskId: echo.taskId }]);
    const output = submit(pool, echo, 7);
    await tick();
    answer(survivor, runs(survivor)[0]!);
    assert.equal(await output, 7);
    assert.equal(pool.stats().workers, 1);
    await closeAll(pool, [survivor]);
  });
});

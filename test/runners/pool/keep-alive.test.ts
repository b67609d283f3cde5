/**
 * The pool core over a transport the test drives by hand: what the pool asks of a worker's
 * hold on the process, message by message. (Real workers are in faults-ending.test.ts; here
 * the order of events is what is under test, and only a scripted transport can force it.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { task } from '../../../src/core/task.js';
import type { FromWorker } from '../../../src/runners/pool/protocol.js';
import { scripted, scriptedPool, tick } from './scripted-transport.js';

describe('pool core: holding the process open', () => {
  it('a worker the pool stopped stays held until its exit, even if a message comes after the stop', async () => {
    const { spec, workers } = scripted();
    const pool = scriptedPool(spec, { maxTasksPerWorker: 1 });
    const echo = pool.task(task(new URL('file:///nowhere/tasks.js'), 'echo'));
    const outcome = pool.run({
      task: echo,
      inputs: [7],
      controller: new AbortController(),
      timeout: undefined,
      priority: 0,
      progress: () => {},
    });
    await tick();
    const [worker] = workers;
    assert.ok(worker?.held, 'a busy worker holds the process');
    const run = worker.sent.find((m) => m.kind === 'run');
    assert.ok(run && run.kind === 'run');
    // As a real worker does: the load first, then the run.
    const answer: FromWorker[] = [
      { kind: 'loaded', taskId: echo.taskId },
      { kind: 'done', jobId: run.jobId, values: [7], ms: 1 },
    ];
    worker.events.message(answer);
    assert.deepEqual(await outcome, { values: [7], failures: undefined });
    assert.ok(worker.terminated, 'recycled after maxTasksPerWorker');
    assert.ok(worker.held, 'held while it stops');
    worker.events.message([{ kind: 'loaded', taskId: echo.taskId }]);
    assert.ok(worker.held, 'still held after a late message');
    worker.events.exit({ exitCode: 0 });
    const closed = pool.close();
    // The pool replaced the recycled worker; let every stopped worker end.
    for (const stopped of workers.filter((w) => w.terminated && w !== worker))
      stopped.events.exit({ exitCode: 0 });
    await closed;
  });
});

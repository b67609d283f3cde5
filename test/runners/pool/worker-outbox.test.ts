/**
 * How a worker thread sends its answers: tasks that finish in separate callbacks of one
 * phase of its event loop (timers that fire together) answer in one message, not one
 * message each — and every job is still answered, once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packRuns, unpackDones } from '../../../src/runners/pool/pack.js';
import type { FromWorker, FromWorkerWire } from '../../../src/runners/pool/protocol.js';
import { threadTransport } from '../../../src/runners/pool/transports/thread.js';

const fixtures = new URL('./fixtures/tasks.mjs', import.meta.url);

/** A worker thread holding `tasksPerWorker` at once, and every batch it sends, unpacked. */
function spawnThread(tasksPerWorker: number) {
  const batches: FromWorker[][] = [];
  let notify = () => {};
  const transport = threadTransport.spawn(
    { workerId: 1, tasksPerWorker },
    {
      message: (batch: readonly FromWorkerWire[]) => {
        batches.push([...unpackDones(batch)]);
        notify();
      },
      exit: () => {},
    },
  );
  /** Resolves once the worker has sent `count` messages of `kind`, with the batches they came in. */
  const received = (kind: FromWorker['kind'], count: number) =>
    new Promise<FromWorker[][]>((resolve) => {
      notify = () => {
        const withKind = batches.filter((batch) => batch.some((m) => m.kind === kind));
        const total = withKind.flat().filter((m) => m.kind === kind).length;
        if (total >= count) resolve(withKind);
      };
      notify();
    });
  return { transport, received };
}

describe("a worker thread's answers", { timeout: 60_000 }, () => {
  it('leave together when their tasks finish in the same phase of its event loop', async () => {
    const { transport, received } = spawnThread(20);
    try {
      transport.send(
        packRuns([{ kind: 'load', taskId: 1, moduleUrl: fixtures.href, exportName: 'sleep' }]),
        [],
      );
      await received('loaded', 1);
      // Twenty 20 ms timers set in one turn fire in one pass over the timers.
      const runs = Array.from({ length: 20 }, (_, i) => ({
        kind: 'run' as const,
        jobId: i + 1,
        taskId: 1,
        inputs: [20],
      }));
      transport.send(packRuns(runs), []);
      const withDones = await received('done', 20);
      const dones = withDones.flat().filter((m) => m.kind === 'done');
      assert.deepEqual(
        dones.map((m) => m.jobId).sort((a, b) => a - b),
        runs.map((r) => r.jobId),
        'each job answered once',
      );
      // One message each way per task would be 20; their timers may straddle a pass or two.
      assert.ok(withDones.length <= 3, `${withDones.length} messages carried the 20 answers`);
    } finally {
      transport.terminate();
    }
  });
});

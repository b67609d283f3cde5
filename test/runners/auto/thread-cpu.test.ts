import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { threadCpuMs, threadCpuSource } from '../../../src/runners/auto/thread-cpu.js';

const SLOW = { timeout: 120_000 };
const ownThreadOnly = threadCpuSource !== 'process';

const processCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** A worker thread in this process that computes until it is terminated. */
async function busyWorker(): Promise<Worker> {
  const worker = new Worker(
    "require('node:worker_threads').parentPort.postMessage('busy'); for (;;) {}",
    { eval: true },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  return worker;
}

/** Waits until the process as a whole has used `ms` more CPU (however loaded the machine). */
async function untilProcessUsed(ms: number): Promise<void> {
  const start = processCpuMs();
  while (processCpuMs() - start < ms) await sleep(20);
}

describe('the CPU time of the calling thread', () => {
  it('counts what the calling thread computes', () => {
    const thread = threadCpuMs();
    const whole = processCpuMs();
    let x = 0;
    while (processCpuMs() - whole < 200) x += Math.sqrt(x + 1);
    const threadUsed = threadCpuMs() - thread;
    // Minus at most one scheduler tick the kernel has not settled yet, and V8's helpers.
    assert.ok(
      threadUsed > 100,
      `thread ${threadUsed} ms of ${processCpuMs() - whole} ms (${x > 0})`,
    );
  });

  it('does not count a busy worker thread of the same process against a sleeping main thread', {
    ...SLOW,
    skip: ownThreadOnly ? false : 'this platform only reports the whole process',
  }, async () => {
    const worker = await busyWorker();
    try {
      const thread = threadCpuMs();
      const whole = processCpuMs();
      await untilProcessUsed(300);
      const threadUsed = threadCpuMs() - thread;
      const wholeUsed = processCpuMs() - whole;
      // The worker's time shows in the process's total, not in this thread's.
      assert.ok(
        threadUsed < wholeUsed / 3,
        `thread ${threadUsed} ms of the process's ${wholeUsed} ms`,
      );
    } finally {
      await worker.terminate();
    }
  });
});

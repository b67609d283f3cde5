/**
 * The CPU time a pool's worker threads have used, read while they compute (what `auto`
 * needs to tell its workers' start from other threads keeping the CPUs busy).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Runner, TaskRun } from '../../../src/core/runner.js';
import { task } from '../../../src/core/task.js';
import { threadCpuMs } from '../../../src/runners/auto/thread-cpu.js';
import { poolRunner } from '../../../src/runners/pool/runner.js';
import { processTransport } from '../../../src/runners/pool/transports/process.js';
import { threadTransport } from '../../../src/runners/pool/transports/thread.js';

const fixtures = new URL('./fixtures/tasks.mjs', import.meta.url);
const processCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const linux = process.platform === 'linux' && existsSync('/proc/thread-self');

function runOf(input: unknown): TaskRun {
  return {
    input,
    controller: new AbortController(),
    timeout: undefined,
    priority: 0,
    transfer: undefined,
    progress() {},
    ended() {},
  };
}

/** Has each of `runner`'s workers compute for `ms` without yielding. */
async function compute(runner: Runner, workers: number, ms: number): Promise<void> {
  const busy = await runner.prepare(task(fixtures, 'busy'));
  await Promise.all(Array.from({ length: workers }, () => runner.run(busy, runOf(ms))));
}

describe("a pool's worker threads' CPU time", { timeout: 120_000 }, () => {
  it('grows by about what the workers computed, read from their own counters', {
    skip: linux ? false : 'the system does not say here',
  }, async () => {
    const runner = poolRunner('threads', threadTransport, { workers: 2, tasksPerWorker: 1 });
    try {
      assert.equal(runner.cpuMs?.(), 0, 'no worker has started yet');
      await compute(runner, 2, 10);
      const before = runner.cpuMs?.();
      assert.ok(before !== undefined && before > 0, `the workers' start took some: ${before}`);
      const processBefore = processCpuMs();
      const threadBefore = threadCpuMs();
      await compute(runner, 2, 300);
      const used = runner.cpuMs!()! - before;
      // The CPU the process used besides this thread's was nearly all theirs (a loaded
      // machine may give them less than 2 × 300 ms in that time, whatever they report).
      const others = processCpuMs() - processBefore - (threadCpuMs() - threadBefore);
      assert.ok(
        used > 0.7 * others && used <= others + 10,
        `the workers used ${used} ms of the ${others} ms the process's other threads did`,
      );
    } finally {
      await runner.close();
    }
  });

  it('is not known for child processes, whose CPU is not this process', async () => {
    const runner = poolRunner('processes', processTransport, { workers: 1 });
    try {
      await compute(runner, 1, 1);
      assert.equal(runner.cpuMs?.(), undefined);
    } finally {
      await runner.close();
    }
  });
});

/**
 * The CPU time a pool's worker threads have used, read while they compute (what `auto`
 * needs to tell its workers' start from other threads keeping the CPUs busy).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
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

/** The runner's workers' CPU time, once every one of them has told which thread it is. */
async function onceKnown(runner: Runner): Promise<number> {
  for (const started = Date.now(); Date.now() - started < 60_000; ) {
    const ms = runner.cpuMs?.();
    if (ms !== undefined) return ms;
    await sleep(20);
  }
  assert.fail("the workers' CPU time never became known");
}

describe("a pool's worker threads' CPU time", { timeout: 120_000 }, () => {
  it('grows by about what the workers computed, read from their own counters', {
    skip: linux ? false : 'the system does not say here',
  }, async () => {
    const runner = poolRunner('threads', threadTransport, { workers: 2, tasksPerWorker: 1 });
    try {
      assert.equal(runner.cpuMs?.(), 0, 'no worker has started yet');
      await compute(runner, 2, 10);
      // A worker still starting (the pool may have given both runs to the first) has not
      // told its id yet, and its CPU is not known until it has.
      const before = await onceKnown(runner);
      assert.ok(before > 0, `the workers' start took some: ${before}`);
      const processBefore = processCpuMs();
      const threadBefore = threadCpuMs();
      await compute(runner, 2, 300);
      const used = (await onceKnown(runner)) - before;
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

  it('keeps what its workers used once they have ended: it never falls', {
    skip: linux ? false : 'the system does not say here',
  }, async () => {
    const runner = poolRunner('threads', threadTransport, { workers: 1 });
    await compute(runner, 1, 50);
    const used = await onceKnown(runner);
    assert.ok(used > 0, `the worker used ${used} ms`);
    await runner.close();
    const after = runner.cpuMs?.();
    assert.ok(after !== undefined && after >= used, `${after} ms once closed, ${used} before`);
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

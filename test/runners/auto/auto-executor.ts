/**
 * What the tests of the `auto` runner with real tasks share: the tasks of the fixtures, an
 * `auto` executor whose controllers read a calling thread scripted busy or idle (instead of
 * timing anything), the runners it hands work to, and a check of what it said.
 */
import assert from 'node:assert/strict';
import type { AutoOptions, ExecutorOptions, LoopOptions } from '../../../src/core/options.js';
import type { Runner } from '../../../src/core/runner.js';
import type { Mode } from '../../../src/core/types.js';
import { ExecutorFront } from '../../../src/executor/front.js';
import { type Decision, task, tasks } from '../../../src/index.js';
import { AutoRunner } from '../../../src/runners/auto/auto.js';
import type { Instruments } from '../../../src/runners/auto/measures.js';
import { eventLoopRunner } from '../../../src/runners/loop/loop.js';
import { threadsRunner } from '../../../src/runners/pool/threads.js';

export const WORKLOADS = new URL('../../fixtures/workloads.mjs', import.meta.url);
export const where = task<{ ms?: number; work?: number }, number>(WORKLOADS, 'where');
/**
 * Tasks whose state a test reads (`calls`, `gatheredStarted`) by importing
 * `auto-tasks.mjs` itself, as long as they run on the calling thread.
 */
export const autoTasks = tasks<typeof import('../../fixtures/auto-tasks.mjs')>(
  new URL('../../fixtures/auto-tasks.mjs', import.meta.url),
);
/** Iterations of `compute` that take about a millisecond. */
export const MS_OF_WORK = 300_000;
export const SLOW = { timeout: 120_000 };

/** A calling thread that reads as busy `share` of the time, whatever it really does. */
export function busy(share: number): Instruments {
  return {
    now: () => performance.now(),
    busy: () => {
      const t = performance.now();
      return { cpuMs: share * t, idleMs: (1 - share) * t };
    },
  };
}

/** The runners `createExecutor` would make, for `auto` to hand work to. */
export function runnerFor(options: ExecutorOptions): Runner {
  return options.mode === 'threads'
    ? threadsRunner(options)
    : eventLoopRunner('loop', (options as LoopOptions).concurrency ?? 64);
}

/** An `auto` executor whose controllers read `instruments`. */
export function autoExecutor(
  instruments: Instruments,
  available: readonly Mode[] = ['loop', 'threads'],
  options: Omit<AutoOptions, 'mode'> = {},
) {
  const runner = new AutoRunner(
    { mode: 'auto', workers: 2, ...options },
    runnerFor,
    available,
    instruments,
  );
  return new ExecutorFront(runner, options);
}

/** `text` is in the decision's reason or in the reason of one of the moves before it. */
export function assertSaid(decision: Decision | undefined, text: string): void {
  const reasons = [decision?.reason, ...(decision?.history ?? []).map((h) => h.reason)];
  assert.ok(
    reasons.some((r) => r?.includes(text)),
    reasons.join('\n'),
  );
}

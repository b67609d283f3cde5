/**
 * What the fault tests of the pools share, run against real workers: the fixture tasks, a
 * bound on waiting, a generous timeout, an executor of each pool mode, and the
 * `${mode}: faults are contained` block each mode runs them in.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { createExecutor, type Executor, type ThreadsOptions, task } from '../../../src/index.js';

export const fixtures = new URL('./fixtures/tasks.mjs', import.meta.url);
export const ref = <I = unknown, O = unknown>(name: string) => task<I, O>(fixtures, name);

/** Resolves once `condition` holds; fails the test if it never does within a generous time. */
export async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > 30_000) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Generous: workers start slowly on a shared machine, and nothing here measures time. */
export const TEST_TIMEOUT = 120_000;

export type PoolMode = 'threads' | 'processes';

/** Makes an executor of one pool mode: 2 workers, unless `options` say otherwise. */
export type MakeExecutor = (options?: Omit<ThreadsOptions, 'mode'>) => Executor;

export function makerFor(mode: PoolMode): MakeExecutor {
  return (options = {}) => createExecutor({ mode, workers: 2, ...options });
}

/**
 * Declares `tests` in a `${mode}: faults are contained` block for threads, then for
 * processes, each given its mode and a maker of its executors.
 */
export function describeFaults(tests: (make: MakeExecutor, mode: PoolMode) => void): void {
  for (const mode of ['threads', 'processes'] as const) {
    const make = makerFor(mode);
    describe(`${mode}: faults are contained`, { timeout: TEST_TIMEOUT }, () => tests(make, mode));
  }
}

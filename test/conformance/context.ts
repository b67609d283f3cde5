/**
 * What every part of the conformance suite shares: the tasks it runs (references into
 * `test/fixtures/jobs.ts`, so every mode runs the very same ones), its bounds on waiting,
 * the helpers that wait, collect and catch, and the context `describeConformance` lends
 * each part for the mode under test.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type Executor, type Mode, TaskError, task, tasks } from '../../src/index.js';

export const jobsUrl = new URL('../fixtures/jobs.ts', import.meta.url);
export const jobs = tasks<typeof import('../fixtures/jobs.js')>(jobsUrl);
export const double = task<number, number>(
  new URL('../fixtures/plain.mjs', import.meta.url),
  'double',
);
/** A module whose top-level await never settles. */
export const neverLoads = task<number, never>(
  new URL('../runners/pool/fixtures/never-loads.mjs', import.meta.url),
  'unreachable',
);

/** Longest delay a timer takes; a task waiting this long only ends through its signal. */
export const FOREVER = 2 ** 31 - 1;
/** How long the suite waits for something that should happen "soon". Generous: the machine is shared. */
export const PATIENCE_MS = 20_000;
/** Most inputs `map` may read beyond those yielded; any bound proves the reading is lazy. */
export const READ_AHEAD_LIMIT = 4_096;

/** What the suite asks of a mode's executor. */
export interface SuiteOptions {
  /** At least this many tasks run at once. @default the mode's own default */
  concurrency?: number;
  /** The executor's default per-task timeout in ms. */
  timeout?: number;
  /** Most tasks accepted but not yet running; past it `submit` is refused. */
  maxQueue?: number;
}

export type TestContext = { after: (fn: () => Promise<void>) => void };

/** What `describeConformance` lends each part of the suite: the mode under test, and its tools. */
export interface ConformanceContext {
  readonly mode: Mode;
  /** `sync` and `loop` run plain functions; every other mode must refuse them with a `TypeError`. */
  readonly plainFunctions: boolean;
  /** A task that never awaits is stopped at its timeout (pools), not only rejected when it returns. */
  readonly stopsRunawayTasks: boolean;
  /** More than one task can run at once (all but `sync`). */
  readonly concurrent: boolean;
  /** The options of a test that needs two tasks at once: skipped where the mode runs one. */
  readonly onlyConcurrent: { readonly skip?: string };
  /** Makes an executor of this mode. */
  readonly make: (options: SuiteOptions) => Executor | Promise<Executor>;
  /** An executor that is closed (cancelling what is left) when the test ends. */
  readonly open: (t: TestContext, options?: SuiteOptions) => Promise<Executor>;
  /** A fresh marker file path for a task to write. */
  readonly marker: () => string;
  /**
   * Starts a task that runs until the returned controller aborts it, on an executor with
   * one slot: the tasks submitted after it wait.
   */
  readonly occupyTheOnlySlot: (ex: Executor) => Promise<AbortController>;
}

/** Every value the iterator yields, in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

/**
 * Every value `iterable` yields; writes the `release` file once `releases` holds for a
 * value, or after {@link PATIENCE_MS} if none does, so a task waiting for it ends either way.
 */
export async function collectReleasing<T>(
  iterable: AsyncIterable<T>,
  release: string,
  releases: (value: T) => boolean,
): Promise<T[]> {
  const fallback = setTimeout(() => writeFileSync(release, 'late'), PATIENCE_MS);
  try {
    const out: T[] = [];
    for await (const value of iterable) {
      out.push(value);
      if (releases(value)) writeFileSync(release, 'released');
    }
    return out;
  } finally {
    clearTimeout(fallback);
  }
}

/**
 * On an executor with one slot: a task that runs until the test ends (marking `started`)
 * and two behind it, all three submitted at once; resolves once the first has started.
 * Their failures when the executor closes are expected, not reported.
 */
export async function oneRunningTwoBehind(ex: Executor, started: string): Promise<void> {
  const accepted = [
    ex.submit(jobs.outcome, { value: 0, ms: FOREVER, started }),
    ex.submit(jobs.outcome, { value: 1 }),
    ex.submit(jobs.outcome, { value: 2 }),
  ];
  for (const p of accepted) p.catch(() => {});
  await markerText(started);
}

/** Waits for a marker file and returns what the task wrote in it. */
export async function markerText(file: string): Promise<string> {
  await eventually(() => existsSync(file), `marker ${file}`);
  return readFileSync(file, 'utf8');
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

export function isTaskErrorFor(error: unknown, value: number): boolean {
  return error instanceof TaskError && error.message.includes(`input ${value} failed`);
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until it holds; fails after {@link PATIENCE_MS}. */
export async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + PATIENCE_MS;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await pause(10);
  }
}

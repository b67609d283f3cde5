/**
 * The conformance suite: one specification of the `Executor` contract, run against every
 * mode. A mode that passes it behaves as the README and `API.md` promise.
 *
 * Adding a mode is one line in `modes.test.ts`:
 *
 *   describeConformance({ mode: 'threads', plainFunctions: false, stopsRunawayTasks: true });
 *
 * If the mode needs more than `createExecutor({ mode, ...options })` — a Redis server, a
 * worker process — pass `create` (and `before`/`after` to start and stop what it needs).
 * `create` receives the options a test asks for and must honour them: `concurrency: n`
 * means "at least n tasks can run at once" (a pool may reach it with `workers` or
 * `tasksPerWorker`), `timeout` is the executor's default per-task timeout.
 *
 * The tasks live in `test/fixtures/jobs.ts` and are passed as references, so modes that
 * run tasks in other threads, processes or machines run the very same tests. A task
 * reports what happened to it (it started; its signal fired, and why) in marker files,
 * the one channel every mode shares with the test. Nothing here measures wall time:
 * delays only create orderings, with wide margins so a loaded machine cannot flip them.
 *
 * Each part of the contract is a module of its own (`tasks.ts`, `map.ts`, `errors.ts`,
 * `cancellation.ts`, `timeouts.ts`, `close.ts`, `stats.ts`, `queue.ts`); this one describes
 * a mode with all of them, and `context.ts` holds what they share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { createExecutor, type Executor, type ExecutorOptions, type Mode } from '../../src/index.js';
import { describeCancellation } from './cancellation.js';
import { describeClose } from './close.js';
import {
  type ConformanceContext,
  FOREVER,
  jobs,
  markerText,
  PATIENCE_MS,
  type SuiteOptions,
  type TestContext,
} from './context.js';
import { describeErrors } from './errors.js';
import { describeMap } from './map.js';
import { describeQueue } from './queue.js';
import { describeStats } from './stats.js';
import { describeTasks } from './tasks.js';
import { describeTimeouts } from './timeouts.js';

/** What the suite's users import from it: the map helper, and the options a target's `create` takes. */
export { collect, type SuiteOptions } from './context.js';

/** A mode under test, and what it can do. */
export interface ConformanceTarget {
  readonly mode: Mode;
  /** `sync` and `loop` run plain functions; every other mode must refuse them with a `TypeError`. */
  readonly plainFunctions: boolean;
  /** A task that never awaits is stopped at its timeout (pools), not only rejected when it returns. */
  readonly stopsRunawayTasks: boolean;
  /** More than one task can run at once (all but `sync`). @default true */
  readonly concurrent?: boolean;
  /** Makes an executor of this mode. @default createExecutor({ mode, ...options }) */
  readonly create?: (options: SuiteOptions) => Executor | Promise<Executor>;
  /** Starts what the mode needs (a server, a worker) before its tests. */
  readonly before?: () => Promise<void>;
  /** Stops it after its tests. */
  readonly after?: () => Promise<void>;
  /** Why this mode cannot run here (e.g. a server that is not installed): reported as skipped. */
  readonly skip?: string | false;
}

export function describeConformance(target: ConformanceTarget): void {
  const { mode, plainFunctions, stopsRunawayTasks, concurrent = true } = target;
  const make =
    target.create ??
    ((options: SuiteOptions) => createExecutor({ mode, ...options } as ExecutorOptions));
  const onlyConcurrent = concurrent ? {} : { skip: `${mode} runs one task at a time` };
  let dir: string;
  let markerCount = 0;

  /** An executor that is closed (cancelling what is left) when the test ends. */
  const open = async (t: TestContext, options: SuiteOptions = {}): Promise<Executor> => {
    const ex = await make(options);
    t.after(() => ex.close({ cancel: true }));
    return ex;
  };
  /** A fresh marker file path for a task to write. */
  const marker = (): string => join(dir, `marker-${markerCount++}`);

  describe(`conformance: ${mode}`, { timeout: 10 * PATIENCE_MS, skip: target.skip }, () => {
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `switchyard-conformance-${mode}-`));
      await target.before?.();
    });
    after(async () => {
      await target.after?.();
      rmSync(dir, { recursive: true, force: true });
    });

    const context: ConformanceContext = {
      mode,
      plainFunctions,
      stopsRunawayTasks,
      concurrent,
      onlyConcurrent,
      make,
      open,
      marker,
      occupyTheOnlySlot,
    };
    describeTasks(context);
    describeMap(context);
    describeErrors(context);
    describeCancellation(context);
    describeTimeouts(context);
    describeClose(context);
    describeStats(context);
    describeQueue(context);
  });

  /**
   * Starts a task that runs until the returned controller aborts it, on an executor with
   * one slot: the tasks submitted after it wait.
   */
  async function occupyTheOnlySlot(ex: Executor): Promise<AbortController> {
    const controller = new AbortController();
    const started = marker();
    ex.submit(
      jobs.outcome,
      { value: 0, ms: FOREVER, started },
      { signal: controller.signal },
    ).catch(() => {});
    await markerText(started);
    return controller;
  }
}

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
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CancelledError,
  createExecutor,
  type Executor,
  ExecutorClosedError,
  type ExecutorOptions,
  type Mode,
  QueueFullError,
  TaskError,
  TaskNotFoundError,
  TimeoutError,
  task,
  tasks,
} from '../../src/index.js';
import type { Outcome } from '../fixtures/jobs.js';
import { describeStatsInvariant } from './stats-invariant.js';

const jobsUrl = new URL('../fixtures/jobs.ts', import.meta.url);
const jobs = tasks<typeof import('../fixtures/jobs.js')>(jobsUrl);
const double = task<number, number>(new URL('../fixtures/plain.mjs', import.meta.url), 'double');
/** A module whose top-level await never settles. */
const neverLoads = task<number, never>(
  new URL('../runners/pool/fixtures/never-loads.mjs', import.meta.url),
  'unreachable',
);

/** Longest delay a timer takes; a task waiting this long only ends through its signal. */
const FOREVER = 2 ** 31 - 1;
/** How long the suite waits for something that should happen "soon". Generous: the machine is shared. */
const PATIENCE_MS = 20_000;
/** Most inputs `map` may read beyond those yielded; any bound proves the reading is lazy. */
const READ_AHEAD_LIMIT = 4_096;

/** What the suite asks of a mode's executor. */
export interface SuiteOptions {
  /** At least this many tasks run at once. @default the mode's own default */
  concurrency?: number;
  /** The executor's default per-task timeout in ms. */
  timeout?: number;
  /** Most tasks accepted but not yet running; past it `submit` is refused. */
  maxQueue?: number;
}

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

type TestContext = { after: (fn: () => Promise<void>) => void };

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

    describe('tasks', () => {
      it('runs a task reference from a .ts module and resolves with its output', async (t) => {
        const ex = await open(t);
        assert.deepEqual(await ex.submit(jobs.echo, { list: [1, 2], text: 'ü' }), {
          list: [1, 2],
          text: 'ü',
        });
      });

      it('runs a task from a plain .js module', async (t) => {
        const ex = await open(t);
        assert.equal(await ex.submit(double, 21), 42);
      });

      if (plainFunctions) {
        it('accepts a plain function in place of a task reference', async (t) => {
          const ex = await open(t);
          assert.equal(await ex.submit((n: number) => n + 1, 41), 42);
          assert.deepEqual(
            await collect(ex.map(async (n: number) => n * 10, [1, 2, 3])),
            [10, 20, 30],
          );
        });
      } else {
        it('refuses a plain function with a TypeError that says to pass task()', async (t) => {
          const ex = await open(t);
          await assert.rejects(
            async () => ex.submit((n: number) => n + 1, 41),
            (error: unknown) => error instanceof TypeError && /task\(/.test(error.message),
          );
        });
      }

      it('tells the task where it runs through ctx.workerId', async (t) => {
        const ex = await open(t);
        const workerId = await ex.submit(jobs.whereAmI, undefined);
        assert.ok(Number.isInteger(workerId) && workerId >= 0, `workerId ${workerId}`);
      });

      it('delivers ctx.progress reports to onProgress, the last one included', async (t) => {
        const ex = await open(t);
        const seen: unknown[] = [];
        const result = await ex.submit(
          jobs.reportProgress,
          { steps: 5 },
          {
            onProgress: (value) => seen.push(value),
          },
        );
        assert.equal(result, 5);
        await eventually(() => seen.at(-1) === 5, 'the last progress report');
        const numbers = seen as number[];
        assert.ok(numbers.every((v, i) => v >= 1 && v <= 5 && (i === 0 || v > numbers[i - 1]!)));
      });
    });

    describe('map and mapSettled', () => {
      it('map yields outputs in input order even when later inputs finish first', async (t) => {
        const ex = await open(t, { concurrency: 5 });
        const inputs = [250, 200, 150, 100, 0].map((ms, value) => ({ value, ms }));
        assert.deepEqual(await collect(ex.map(jobs.outcome, inputs)), [0, 1, 2, 3, 4]);
        const many = Array.from({ length: 200 }, (_, i) => i);
        assert.deepEqual(await collect(ex.map(jobs.echo, many)), many);
      });

      it('map with ordered: false yields in completion order', onlyConcurrent, async (t) => {
        const ex = await open(t, { concurrency: 2 });
        // Input 0 ends only once input 1 has been yielded (or, if the map waits for input
        // 0 first, after a long pause): no race with how fast a second worker starts.
        const release = marker();
        const inputs = [
          { value: 0, after: [release] },
          { value: 1, ms: 0 },
        ];
        const yielded = await collectReleasing(
          ex.map(jobs.outcome, inputs, { ordered: false }),
          release,
          (value) => value === 1,
        );
        assert.deepEqual(yielded, [1, 0]);
      });

      it('map reads an async iterable', async (t) => {
        const ex = await open(t);
        async function* numbers() {
          for (let i = 0; i < 10; i++) yield i;
        }
        assert.deepEqual(
          await collect(ex.map(double, numbers())),
          [0, 2, 4, 6, 8, 10, 12, 14, 16, 18],
        );
      });

      it('map over no inputs yields nothing', async (t) => {
        const ex = await open(t);
        assert.deepEqual(await collect(ex.map(jobs.echo, [])), []);
        assert.deepEqual(await collect(ex.mapSettled(jobs.echo, [])), []);
      });

      it('mapSettled yields every index exactly once: values for successes, TaskError for failures', async (t) => {
        const ex = await open(t, { concurrency: 4 });
        const inputs: Outcome[] = Array.from({ length: 30 }, (_, value) => ({
          value,
          fail: value % 3 === 0,
          ms: (value * 7) % 11,
        }));
        const settled = await collect(ex.mapSettled(jobs.outcome, inputs));
        assert.deepEqual(
          settled.map((s) => s.index).sort((a, b) => a - b),
          inputs.map((_, i) => i),
        );
        for (const s of settled) {
          if (inputs[s.index]!.fail) {
            assert.ok(!s.ok && s.error instanceof TaskError, `index ${s.index} should fail`);
            assert.match(s.error.message, new RegExp(`input ${s.index} failed`));
          } else {
            assert.deepEqual(s, { index: s.index, ok: true, value: s.index });
          }
        }
      });

      it('mapSettled yields in completion order', onlyConcurrent, async (t) => {
        const ex = await open(t, { concurrency: 2 });
        const release = marker();
        const inputs = [
          { value: 0, after: [release] },
          { value: 1, ms: 0, fail: true },
        ];
        const settled = await collectReleasing(
          ex.mapSettled(jobs.outcome, inputs),
          release,
          (s) => s.index === 1,
        );
        assert.deepEqual(
          settled.map((s) => [s.index, s.ok]),
          [
            [1, false],
            [0, true],
          ],
        );
      });

      it(
        'map rejects with the first failure in time, not the first in input order',
        onlyConcurrent,
        async (t) => {
          const ex = await open(t, { concurrency: 2 });
          for (const ordered of [true, false]) {
            // Input 0 fails a second after input 1 has started (and failed at once), however
            // long the second worker takes to come up.
            const started = marker();
            const inputs = [
              { value: 0, ms: 1_000, fail: true, after: [started] },
              { value: 1, fail: true, started },
            ];
            // One input a chunk: input 0 waits for input 1 to start, which a chunk holding
            // both would start only after it (the second round's chunks are sized by the
            // first round's task times).
            await assert.rejects(
              collect(ex.map(jobs.outcome, inputs, { ordered, chunkSize: 1 })),
              (error) => isTaskErrorFor(error, 1),
            );
          }
        },
      );

      it(
        'a failing map aborts the signals of the tasks still in flight',
        onlyConcurrent,
        async (t) => {
          const ex = await open(t, { concurrency: 3 });
          const started = [marker(), marker()];
          const aborted = [marker(), marker()];
          // Input 1 fails only once the other two run: they are in flight, not queued.
          const inputs = [
            { value: 0, ms: FOREVER, started: started[0], aborted: aborted[0] },
            { value: 1, fail: true, after: started },
            { value: 2, ms: FOREVER, started: started[1], aborted: aborted[1] },
          ];
          await assert.rejects(collect(ex.map(jobs.outcome, inputs)), (error) =>
            isTaskErrorFor(error, 1),
          );
          for (const file of aborted) assert.equal(await markerText(file), 'AbortError');
          await eventually(() => ex.stats().running === 0, 'no task left running');
        },
      );

      it('breaking out of for await cancels the tasks still in flight', async (t) => {
        const ex = await open(t, { concurrency: 2 });
        const started = marker();
        const aborted = marker();
        let reads = 0;
        function* inputs(): Generator<Outcome> {
          reads++;
          yield { value: 0 };
          reads++;
          yield { value: 1, ms: FOREVER, started, aborted };
          for (;;) {
            reads++;
            yield { value: reads, ms: FOREVER };
          }
        }
        for await (const value of ex.map(jobs.outcome, inputs())) {
          assert.equal(value, 0);
          await markerText(started);
          break;
        }
        assert.equal(await markerText(aborted), 'AbortError');
        await eventually(() => ex.stats().running === 0, 'no task left running');
        const readsAfterBreak = reads;
        await pause(100);
        assert.equal(reads, readsAfterBreak, 'no input is read after the loop broke');
      });

      it('map reads an endless generator lazily and holds reading back for a slow consumer', async (t) => {
        const ex = await open(t, { concurrency: 4 });
        let reads = 0;
        function* naturals(): Generator<number> {
          for (;;) yield reads++;
        }
        const taken: unknown[] = [];
        for await (const value of ex.map(jobs.echo, naturals())) {
          taken.push(value);
          assert.ok(
            reads - taken.length <= READ_AHEAD_LIMIT,
            `read ${reads} inputs, yielded ${taken.length}`,
          );
          await pause(2);
          if (taken.length === 50) break;
        }
        assert.deepEqual(
          taken,
          Array.from({ length: 50 }, (_, i) => i),
        );
        const readsAfterBreak = reads;
        await pause(100);
        assert.equal(reads, readsAfterBreak, 'no input is read after the loop broke');
      });

      it('map and mapSettled check their inputs at the call', async (t) => {
        const ex = await open(t);
        assert.throws(() => ex.map(jobs.echo, 42 as never), TypeError);
        assert.throws(() => ex.mapSettled(jobs.echo, null as never), TypeError);
      });
    });

    describe('errors', () => {
      it("a task's own error comes back as TaskError with its name, message and stack in cause", async (t) => {
        const ex = await open(t);
        const error = await rejection(ex.submit(jobs.outcome, { value: 7, fail: true }));
        assert.ok(error instanceof TaskError, `got ${String(error)}`);
        assert.equal(error.name, 'TaskError');
        assert.match(error.message, /input 7 failed/);
        const cause = error.cause;
        assert.ok(cause instanceof Error);
        assert.equal(cause.name, 'ValidationError');
        assert.equal(cause.message, 'input 7 failed');
        assert.match(cause.stack ?? '', /jobs\.ts/);
      });

      it('a missing export is a TaskNotFoundError naming what exists, raised before any input is read', async (t) => {
        const ex = await open(t);
        const missing = task<number, number>(jobsUrl, 'noSuchTask');
        let reads = 0;
        function* inputs() {
          reads++;
          yield 1;
        }
        const check = (error: unknown) =>
          error instanceof TaskNotFoundError &&
          error.message.includes('noSuchTask') &&
          error.message.includes('echo');
        await assert.rejects(collect(ex.map(missing, inputs())), check);
        await assert.rejects(collect(ex.mapSettled(missing, inputs())), check);
        assert.equal(reads, 0);
        await assert.rejects(ex.submit(missing, 1), check);
      });

      it('a missing module is a TaskNotFoundError naming its path', async (t) => {
        const ex = await open(t);
        const missing = task<number, number>(
          new URL('../fixtures/no-such-module.ts', import.meta.url),
        );
        await assert.rejects(
          ex.submit(missing, 1),
          (error: unknown) =>
            error instanceof TaskNotFoundError && error.message.includes('no-such-module.ts'),
        );
      });

      it('a task waiting for a module that never loads fails at once when cancelled, by its signal or by close({ cancel: true })', {
        skip: mode === 'distributed' ? 'its workers load modules, not the executor' : false,
      }, async (t) => {
        const ex = await open(t);
        const controller = new AbortController();
        const bySignal = ex.submit(neverLoads, 1, { signal: controller.signal });
        const byClose = ex.submit(neverLoads, 2);
        await pause(100);
        controller.abort();
        assert.ok((await rejection(bySignal)) instanceof CancelledError);
        await ex.close({ cancel: true });
        assert.ok((await rejection(byClose)) instanceof CancelledError);
      });

      it('after close(), submit, map and mapSettled reject with ExecutorClosedError', async (t) => {
        const ex = await open(t);
        await ex.close();
        await assert.rejects(ex.submit(jobs.echo, 1), ExecutorClosedError);
        await assert.rejects(collect(ex.map(jobs.echo, [1])), ExecutorClosedError);
        await assert.rejects(collect(ex.mapSettled(jobs.echo, [1])), ExecutorClosedError);
      });

      it('bad call options throw errors that name the option', async (t) => {
        const ex = await open(t);
        assert.throws(() => ex.submit(jobs.echo, 1, { timeout: -1 }), /'timeout'/);
        assert.throws(() => ex.map(jobs.echo, [1], { ordered: 'yes' as never }), /'ordered'/);
      });

      it('something that is neither a task reference nor a function is a TypeError saying what to pass', async (t) => {
        const ex = await open(t);
        for (const bad of [42, 'jobs.ts#echo', null, { moduleUrl: 'x' }]) {
          const expected = /expected a task reference made by task\(new URL/;
          assert.throws(() => ex.submit(bad as never, 1 as never), TypeError);
          assert.throws(() => ex.submit(bad as never, 1 as never), expected);
          assert.throws(() => ex.map(bad as never, [1] as never), expected);
          assert.throws(() => ex.mapSettled(bad as never, [1] as never), expected);
        }
      });
    });

    describe('cancellation', () => {
      it("aborting a running task's signal fires its ctx.signal and rejects with CancelledError", async (t) => {
        const ex = await open(t, { concurrency: 1 });
        const controller = new AbortController();
        const started = marker();
        const aborted = marker();
        const running = ex.submit(
          jobs.outcome,
          { value: 0, ms: FOREVER, started, aborted },
          { signal: controller.signal },
        );
        await markerText(started);
        controller.abort();
        const error = await rejection(running);
        assert.ok(error instanceof CancelledError, `got ${String(error)}`);
        assert.equal(error.name, 'AbortError');
        assert.equal(await markerText(aborted), 'AbortError');
      });

      it('aborting a waiting task drops it: it never starts', async (t) => {
        const ex = await open(t, { concurrency: 1 });
        const first = new AbortController();
        const second = new AbortController();
        const started = [marker(), marker()];
        const running = ex.submit(
          jobs.outcome,
          { value: 0, ms: FOREVER, started: started[0] },
          { signal: first.signal },
        );
        const waiting = ex.submit(
          jobs.outcome,
          { value: 1, started: started[1] },
          { signal: second.signal },
        );
        await markerText(started[0]!);
        second.abort();
        await assert.rejects(waiting, CancelledError);
        first.abort();
        await assert.rejects(running, CancelledError);
        assert.equal(await ex.submit(jobs.echo, 'still works'), 'still works');
        assert.equal(existsSync(started[1]!), false, 'the dropped task never started');
      });

      it('a signal aborted before submit rejects without running the task', async (t) => {
        const ex = await open(t);
        const started = marker();
        await assert.rejects(
          ex.submit(jobs.outcome, { value: 0, started }, { signal: AbortSignal.abort() }),
          CancelledError,
        );
        assert.equal(existsSync(started), false);
      });

      it("aborting map's signal rejects the map with CancelledError and cancels its tasks", async (t) => {
        const ex = await open(t);
        const controller = new AbortController();
        const started = marker();
        const aborted = marker();
        const results = ex.map(jobs.outcome, [{ value: 0, ms: FOREVER, started, aborted }], {
          signal: controller.signal,
        });
        const next = results.next();
        await markerText(started);
        controller.abort();
        await assert.rejects(next, CancelledError);
        assert.equal(await markerText(aborted), 'AbortError');
      });
    });

    describe('timeouts', () => {
      it('a task past its timeout rejects with TimeoutError and its ctx.signal fires', async (t) => {
        const ex = await open(t);
        const aborted = marker();
        await assert.rejects(
          ex.submit(jobs.outcome, { value: 0, ms: FOREVER, aborted }, { timeout: 200 }),
          TimeoutError,
        );
        assert.equal(await markerText(aborted), 'TimeoutError');
      });

      it("ctx.signal.reason is switchyard's own TimeoutError or CancelledError, with its code", async (t) => {
        const ex = await open(t);
        const timedOut = marker();
        await assert.rejects(
          ex.submit(jobs.reasonOf, { ms: FOREVER, report: timedOut }, { timeout: 200 }),
          TimeoutError,
        );
        assert.equal(await markerText(timedOut), 'TimeoutError ERR_TIMEOUT timeoutMs=200');
        const cancelled = marker();
        const started = marker();
        const controller = new AbortController();
        const running = ex.submit(
          jobs.reasonOf,
          { ms: FOREVER, report: cancelled, started },
          { signal: controller.signal },
        );
        await markerText(started);
        controller.abort();
        await assert.rejects(running, CancelledError);
        assert.equal(await markerText(cancelled), 'AbortError ABORT_ERR');
      });

      it("the executor's timeout applies to every task, in map too", async (t) => {
        const ex = await open(t, { timeout: 200 });
        const settled = await collect(
          ex.mapSettled(jobs.outcome, [
            { value: 0, ms: FOREVER },
            { value: 1, ms: FOREVER },
          ]),
        );
        assert.equal(settled.length, 2);
        for (const s of settled) assert.ok(!s.ok && s.error instanceof TimeoutError);
        await assert.rejects(ex.submit(jobs.outcome, { value: 2, ms: FOREVER }), TimeoutError);
      });

      it('the timeout clock starts when the task starts running, not while it waits', async (t) => {
        const ex = await open(t, { concurrency: 1 });
        const first = ex.submit(jobs.outcome, { value: 0, ms: 1_500 });
        const second = ex.submit(jobs.outcome, { value: 1 }, { timeout: 750 });
        assert.deepEqual(await Promise.all([first, second]), [0, 1]);
      });

      if (stopsRunawayTasks) {
        it('a task that never awaits is stopped at its timeout, and the executor keeps working', async (t) => {
          const ex = await open(t, { concurrency: 1 });
          await assert.rejects(
            ex.submit(jobs.spin, { ms: 10 * PATIENCE_MS }, { timeout: 300 }),
            TimeoutError,
          );
          assert.equal(await ex.submit(jobs.echo, 'next'), 'next');
        });
      } else {
        it('a task that never awaits cannot be interrupted, but rejects with TimeoutError once it returns', async (t) => {
          const ex = await open(t);
          await assert.rejects(ex.submit(jobs.spin, { ms: 300 }, { timeout: 50 }), TimeoutError);
        });
      }
    });

    describe('close', () => {
      it('close() waits for accepted tasks to finish, then resolves', async (t) => {
        const ex = await open(t, { concurrency: 2 });
        const outputs: number[] = [];
        const accepted = [0, 1, 2].map((value) =>
          ex.submit(jobs.outcome, { value, ms: 200 }).then((v) => outputs.push(v)),
        );
        await ex.close();
        assert.deepEqual(
          outputs.sort((a, b) => a - b),
          [0, 1, 2],
        );
        await Promise.all(accepted);
        assert.equal(ex.stats().completed, 3);
        assert.equal(ex.stats().running, 0);
      });

      it('close({ cancel: true }) cancels running and waiting tasks with CancelledError', async (t) => {
        const ex = await open(t, { concurrency: 1 });
        const started = marker();
        const aborted = marker();
        const running = ex.submit(jobs.outcome, { value: 0, ms: FOREVER, started, aborted });
        const waiting = ex.submit(jobs.outcome, { value: 1 });
        await markerText(started);
        await ex.close({ cancel: true });
        await assert.rejects(running, CancelledError);
        await assert.rejects(waiting, CancelledError);
        assert.equal(await markerText(aborted), 'AbortError');
      });

      it('close({ timeout }) waits that long for accepted tasks, then cancels what is left', async (t) => {
        const ex = await open(t, { concurrency: 2 });
        const quick = ex.submit(jobs.outcome, { value: 0, ms: 50 });
        const endless = ex.submit(jobs.outcome, { value: 1, ms: FOREVER });
        await ex.close({ timeout: 1_000 });
        assert.equal(await quick, 0);
        await assert.rejects(endless, CancelledError);
      });

      it('a map running when close() is called finishes what it started, then ends with ExecutorClosedError', async (t) => {
        const ex = await open(t, { concurrency: 2 });
        function* naturals(): Generator<number> {
          for (let i = 0; ; i++) yield i;
        }
        const results = ex.map(jobs.echo, naturals());
        const seen: unknown[] = [(await results.next()).value];
        const closed = ex.close();
        await assert.rejects(
          (async () => {
            for await (const value of results) seen.push(value);
          })(),
          ExecutorClosedError,
        );
        await closed;
        assert.deepEqual(
          seen,
          seen.map((_, i) => i),
        );
      });

      it('await using closes the executor at the end of the block', async () => {
        let ex: Executor;
        let pending: Promise<number>;
        {
          await using scoped = await make({});
          ex = scoped;
          pending = scoped.submit(jobs.outcome, { value: 5, ms: 100 });
        }
        assert.equal(await Promise.race([pending, 'still pending']), 5);
        await assert.rejects(ex.submit(jobs.echo, 1), ExecutorClosedError);
        await ex.close();
      });
    });

    describe('stats', () => {
      it('stats() counts completed and failed tasks and returns to idle', async (t) => {
        const ex = await open(t, { concurrency: 3 });
        const inputs = Array.from({ length: 10 }, (_, value) => ({ value, fail: value < 3 }));
        await collect(ex.mapSettled(jobs.outcome, inputs));
        await assert.rejects(
          ex.submit(jobs.outcome, { value: 10 }, { signal: AbortSignal.abort() }),
        );
        const stats = ex.stats();
        assert.equal(stats.mode, mode);
        assert.equal(stats.completed, 7);
        assert.equal(stats.failed, 4);
        assert.equal(stats.running, 0);
        assert.equal(stats.queued, 0);
        assert.ok(stats.concurrency >= 1);
        assert.ok(Number.isInteger(stats.workers) && stats.workers >= 0);
        assert.ok(stats.utilization >= 0 && stats.utilization <= 1, `${stats.utilization}`);
      });

      it('a task counts as running or queued from the moment submit returns', async (t) => {
        const ex = await open(t);
        const started = marker();
        const first = ex.submit(jobs.outcome, { value: 0, ms: FOREVER, started });
        first.catch(() => {});
        const { running, queued } = ex.stats();
        assert.equal(running + queued, 1, `running ${running}, queued ${queued}`);
        await markerText(started);
      });

      it('stats() shows running and waiting tasks', async (t) => {
        const ex = await open(t, { concurrency: 1 });
        const started = marker();
        const accepted = [
          ex.submit(jobs.outcome, { value: 0, ms: FOREVER, started }),
          ex.submit(jobs.outcome, { value: 1 }),
          ex.submit(jobs.outcome, { value: 2 }),
        ];
        for (const p of accepted) p.catch(() => {});
        await markerText(started);
        await eventually(() => {
          const { running, queued } = ex.stats();
          return running === 1 && queued === 2;
        }, 'one task running and two waiting');
      });

      describeStatsInvariant({ concurrent, open, marker, markerText, eventually });
    });

    it('starts waiting tasks highest priority first, equal priorities in submission order', async (t) => {
      const ex = await open(t, { concurrency: 1 });
      // The module is loaded, by a task long enough that a pool sends no more than one task
      // ahead to a busy worker (it sends as many short ones as cover about 2 ms).
      assert.equal(await ex.submit(jobs.outcome, { value: -1, ms: 5 }), -1);
      const controller = await occupyTheOnlySlot(ex);
      const order: number[] = [];
      // A pool may send the first task that waits ahead to the busy worker, before any
      // other arrives: that one's place is not the priorities' to decide.
      const ahead = ex.submit(jobs.outcome, { value: 0 }, { priority: -1 });
      const priorities = [0, 10, 0, 5, 10];
      const done = priorities.map((priority, i) =>
        ex.submit(jobs.outcome, { value: i + 1 }, { priority }).then((value) => order.push(value)),
      );
      await eventually(() => ex.stats().queued === priorities.length + 1, 'all of them waiting');
      controller.abort();
      await Promise.all([ahead, ...done]);
      assert.deepEqual(order, [2, 5, 4, 1, 3]);
    });

    describe('maxQueue', () => {
      it('past maxQueue, submit rejects at once with QueueFullError and keeps nothing', async (t) => {
        const ex = await open(t, { concurrency: 1, maxQueue: 2 });
        const started = marker();
        const accepted = [
          ex.submit(jobs.outcome, { value: 0, ms: FOREVER, started }),
          ex.submit(jobs.outcome, { value: 1 }),
          ex.submit(jobs.outcome, { value: 2 }),
        ];
        for (const p of accepted) p.catch(() => {});
        await markerText(started);
        await eventually(() => ex.stats().queued === 2, 'two tasks waiting');
        const refused = marker();
        const error = await rejection(ex.submit(jobs.outcome, { value: 3, started: refused }));
        assert.ok(error instanceof QueueFullError, `got ${String(error)}`);
        assert.equal(error.code, 'ERR_QUEUE_FULL');
        assert.equal(ex.stats().queued, 2, 'the refused task was not kept');
        assert.equal(existsSync(refused), false, 'the refused task never ran');
        assert.equal(ex.stats().failed, 0, 'a refused task is not a failed one');
      });

      it('holds a producer back while the task module loads: nothing refused, never more than maxQueue waiting', async (t) => {
        const ex = await open(t, { concurrency: 1, maxQueue: 3 });
        const submitted: Promise<number>[] = [];
        let most = 0;
        for (let value = 0; value < 30; value++) {
          await ex.ready();
          submitted.push(ex.submit(jobs.outcome, { value }));
          most = Math.max(most, ex.stats().queued);
        }
        assert.deepEqual(
          await Promise.all(submitted),
          Array.from({ length: 30 }, (_, value) => value),
        );
        // Counted as waiting while its module loads, the one that then runs at once, too.
        assert.ok(most <= 3 + 1, `${most} tasks waited at once`);
      });

      it('ready() resolves once there is room again, and submit is then accepted', async (t) => {
        const ex = await open(t, { concurrency: 1, maxQueue: 1 });
        const controller = await occupyTheOnlySlot(ex);
        const waiting = ex.submit(jobs.outcome, { value: 1 });
        await eventually(() => ex.stats().queued === 1, 'one task waiting');
        let ready = false;
        const room = ex.ready().then(() => {
          ready = true;
        });
        // While the first task runs forever nothing can leave the queue: no room yet.
        await pause(200);
        assert.equal(ready, false, 'ready() resolved while the queue was full');
        controller.abort();
        await room;
        assert.equal(await waiting, 1);
        assert.equal(await ex.submit(jobs.outcome, { value: 2 }), 2);
      });

      it('maxQueue 0 accepts only a task that can start at once, and ready() waits for a free place', async (t) => {
        const ex = await open(t, { concurrency: 1, maxQueue: 0 });
        await ex.ready();
        const controller = await occupyTheOnlySlot(ex);
        const error = await rejection(ex.submit(jobs.outcome, { value: 1 }));
        assert.ok(error instanceof QueueFullError, `got ${String(error)}`);
        let ready = false;
        const room = ex.ready().then(() => {
          ready = true;
        });
        await pause(200);
        assert.equal(ready, false, 'ready() resolved while the only place was taken');
        controller.abort();
        await room;
        assert.equal(await ex.submit(jobs.outcome, { value: 2 }), 2);
      });

      it('a producer waiting in ready() goes on when the executor closes, and its submit is refused', async (t) => {
        const ex = await open(t, { concurrency: 1, maxQueue: 1 });
        await occupyTheOnlySlot(ex);
        ex.submit(jobs.outcome, { value: 1 }).catch(() => {});
        await eventually(() => ex.stats().queued === 1, 'one task waiting');
        const room = ex.ready();
        await ex.close({ cancel: true });
        await room;
        await ex.ready();
        const error = await rejection(ex.submit(jobs.outcome, { value: 2 }));
        assert.ok(error instanceof ExecutorClosedError, `got ${String(error)}`);
      });

      it('a map is not refused past maxQueue: its window bounds it', async (t) => {
        const ex = await open(t, { concurrency: 1, maxQueue: 1 });
        const inputs = Array.from({ length: 20 }, (_, value) => ({ value }));
        assert.deepEqual(
          await collect(ex.map(jobs.outcome, inputs)),
          inputs.map((i) => i.value),
        );
      });
    });

    it('ready() resolves at once when maxQueue is not set', async (t) => {
      const ex = await open(t, { concurrency: 1 });
      const started = marker();
      const running = ex.submit(jobs.outcome, { value: 0, ms: FOREVER, started });
      running.catch(() => {});
      for (let value = 1; value <= 5; value++) ex.submit(jobs.outcome, { value }).catch(() => {});
      await ex.ready();
    });
  });

  /**
   * Every value `iterable` yields; writes the `release` file once `releases` holds for a
   * value, or after {@link PATIENCE_MS} if none does, so a task waiting for it ends either way.
   */
  async function collectReleasing<T>(
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

  /** Waits for a marker file and returns what the task wrote in it. */
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

  async function markerText(file: string): Promise<string> {
    await eventually(() => existsSync(file), `marker ${file}`);
    return readFileSync(file, 'utf8');
  }
}

/** Every value the iterator yields, in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

function isTaskErrorFor(error: unknown, value: number): boolean {
  return error instanceof TaskError && error.message.includes(`input ${value} failed`);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until it holds; fails after {@link PATIENCE_MS}. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + PATIENCE_MS;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await pause(10);
  }
}

/**
 * The conformance suite's tests of errors: a task's own error as a `TaskError`, a missing
 * export or module as a `TaskNotFoundError`, calls after `close()`, and bad arguments
 * refused at the call with an error that names them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CancelledError,
  ExecutorClosedError,
  TaskError,
  TaskNotFoundError,
  task,
} from '../../src/index.js';
import {
  type ConformanceContext,
  collect,
  jobs,
  jobsUrl,
  neverLoads,
  pause,
  rejection,
} from './context.js';

export function describeErrors(context: ConformanceContext): void {
  const { mode, open } = context;

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
}

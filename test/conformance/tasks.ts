/**
 * The conformance suite's tests of running a task: a reference into a `.ts` or a plain `.js`
 * module, a plain function (run, or refused with a `TypeError`, as the mode allows), and
 * what a task is told through its context (`ctx.workerId`, `ctx.progress`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConformanceContext, collect, double, eventually, jobs } from './context.js';

export function describeTasks(context: ConformanceContext): void {
  const { plainFunctions, open } = context;

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
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  describeTask,
  type InputOf,
  isTask,
  type OutputOf,
  type Task,
  task,
  tasks,
} from '../../src/core/task.js';
import type { Executor } from '../../src/core/types.js';
import type { Outcome } from '../fixtures/jobs.js';

const jobsUrl = new URL('../fixtures/jobs.ts', import.meta.url);

/** True when A and B are the same type (not merely assignable one way). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

describe('task references', () => {
  it('task() keeps the module URL and export name, defaulting to the default export', () => {
    const ref = task<number, number>(jobsUrl, 'spin');
    assert.deepEqual(
      { ...ref },
      { kind: 'switchyard.task', moduleUrl: jobsUrl.href, exportName: 'spin' },
    );
    assert.equal(task(jobsUrl).exportName, 'default');
    assert.ok(Object.isFrozen(ref));
    assert.ok(isTask(structuredClone(ref)), 'a reference survives structured cloning');
    assert.equal(describeTask(ref), 'jobs.ts#spin');
  });

  it('task() turns an absolute path into a file URL and refuses a relative one', () => {
    const path = '/srv/jobs.js';
    assert.equal(task(path, 'x').moduleUrl, pathToFileURL(path).href);
    assert.throws(
      () => task('./jobs.js', 'x'),
      /relative.*new URL\('\.\/jobs\.js', import\.meta\.url\)/,
    );
    assert.throws(() => task(jobsUrl, ''), /exportName must be a non-empty string/);
  });

  it('tasks() makes one reference per export on demand, and is not mistaken for a promise', async () => {
    const jobs = tasks<typeof import('../fixtures/jobs.js')>(jobsUrl);
    assert.equal(jobs.outcome.exportName, 'outcome');
    assert.equal(jobs.outcome, jobs.outcome, 'the same reference each time');
    assert.equal((jobs as unknown as { then?: unknown }).then, undefined);
    assert.equal(await Promise.resolve(jobs), jobs);
  });

  it('tasks<typeof import(...)> infers each task’s input and output types', () => {
    const jobs = tasks<typeof import('../fixtures/jobs.js')>(jobsUrl);
    expectType<Equal<InputOf<typeof jobs.outcome>, Outcome>>();
    expectType<Equal<OutputOf<typeof jobs.outcome>, number>>();
    expectType<Equal<InputOf<typeof jobs.spin>, { ms: number }>>();
    // A task declared `(input: unknown)` takes anything; one without parameters takes undefined.
    expectType<Equal<InputOf<typeof jobs.echo>, unknown>>();
    expectType<Equal<InputOf<typeof jobs.whereAmI>, undefined>>();
    // Only functions become tasks: a class export does not.
    // @ts-expect-error ValidationError is a class, not a task function
    void jobs.ValidationError;
    jobs.outcome satisfies Task<Outcome, number>;

    // Executors check inputs and type outputs from the reference.
    const typeOnly = async (ex: Executor) => {
      const value: number = await ex.submit(jobs.outcome, { value: 1 });
      // @ts-expect-error an outcome needs { value: number }
      await ex.submit(jobs.outcome, 'one');
      // @ts-expect-error spin returns a number, not a string
      const wrong: string = await ex.submit(jobs.spin, { ms: 1 });
      for await (const n of ex.map(jobs.outcome, [{ value: 2 }]))
        expectType<Equal<typeof n, number>>();
      return [value, wrong];
    };
    assert.equal(typeof typeOnly, 'function');
  });
});

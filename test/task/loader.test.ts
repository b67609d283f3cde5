import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskError, TaskNotFoundError } from '../../src/core/errors.js';
import { task } from '../../src/core/task.js';
import { loadTask, loadTaskWithin } from '../../src/task/loader.js';

const fixture = (path: string) => new URL(`../fixtures/${path}`, import.meta.url);
const ctx = { signal: new AbortController().signal, workerId: 0, progress: () => {} };

describe('loadTask', () => {
  it('loads an export of a .mjs module', async () => {
    const double = await loadTask(task(fixture('plain.mjs'), 'double'));
    assert.equal(await double(21 as never, ctx), 42);
  });

  it('loads an export of a .cjs module, reached through its default export', async () => {
    const triple = await loadTask(task(fixture('common.cjs'), 'triple'));
    assert.equal(await triple(5 as never, ctx), 15);
  });

  it('loads a .ts module without a build step', async () => {
    const echo = await loadTask(task(fixture('jobs.ts'), 'echo'));
    assert.deepEqual(await echo({ a: 1 } as never, ctx), { a: 1 });
  });

  it('loads a .ts module inside a CommonJS package', async () => {
    const shout = await loadTask(task(fixture('cjs-package/task.ts'), 'shout'));
    assert.equal(await shout('hi' as never, ctx), 'HI!');
  });

  it('on the calling thread, a module that never finishes loading fails its tasks after the bound, naming it', async () => {
    const never = task(
      new URL('../runners/pool/fixtures/never-loads.mjs', import.meta.url),
      'unreachable',
    );
    for (let attempt = 0; attempt < 2; attempt++) {
      await assert.rejects(loadTaskWithin(never, 200), (error: unknown) => {
        assert.ok(error instanceof TaskNotFoundError);
        assert.match(
          error.message,
          /never-loads\.mjs did not finish loading within 200 ms, so export 'unreachable' could not be read \(a top-level await that never settles\?\); make the module's top-level code finish$/,
        );
        return true;
      });
    }
    const double = await loadTaskWithin(task(fixture('plain.mjs'), 'double'), 200);
    assert.equal(await double(21 as never, ctx), 42);
  });

  it('caches: the same reference resolves to the same function', async () => {
    const ref = task(fixture('plain.mjs'), 'double');
    assert.equal(await loadTask(ref), await loadTask(task(fixture('plain.mjs'), 'double')));
  });

  it('a missing export is a TaskNotFoundError that names it and lists what exists', async () => {
    await assert.rejects(loadTask(task(fixture('jobs.ts'), 'nope')), (error: unknown) => {
      assert.ok(error instanceof TaskNotFoundError);
      assert.equal(error.exportName, 'nope');
      assert.match(error.message, /has no export named 'nope'/);
      assert.match(error.message, /it exports .*echo.*outcome/);
      return true;
    });
  });

  it('an export that is not a function says what it is instead', async () => {
    await assert.rejects(
      loadTask(task(fixture('plain.mjs'), 'notAFunction')),
      (error: unknown) =>
        error instanceof TaskNotFoundError &&
        /'notAFunction' .* is a number, not a function; it exports double/.test(error.message),
    );
  });

  it('a missing module is a TaskNotFoundError with its path and how to resolve it', async () => {
    for (const name of ['missing.mjs', 'missing.ts']) {
      await assert.rejects(loadTask(task(fixture(name), 'x')), (error: unknown) => {
        assert.ok(error instanceof TaskNotFoundError, `${name}: got ${String(error)}`);
        assert.equal(error.exportName, undefined);
        assert.match(error.message, new RegExp(`${name} does not exist`));
        assert.match(error.message, /import\.meta\.url/);
        return true;
      });
    }
  });

  it('a module that throws while importing is a TaskError keeping its error', async () => {
    await assert.rejects(
      loadTask(task(fixture('throws-on-import.mjs'), 'x')),
      (error: unknown) =>
        error instanceof TaskError &&
        error.cause instanceof Error &&
        error.cause.message === 'configuration missing',
    );
  });
});

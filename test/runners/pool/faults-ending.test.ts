/**
 * How work and workers end in a pool, run against real workers in both pool modes: a
 * timeout (the task's signal first, its worker replaced only if it does not stop), a
 * cancelled task, close() waiting, cancelling or draining until a deadline, and idle
 * workers, which shrink to minWorkers and never hold the program open.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { CancelledError, TimeoutError } from '../../../src/index.js';
import { describeFaults, eventually, fixtures, ref } from './real-workers.js';

const run = promisify(execFile);

describeFaults((make, mode) => {
  it('an idle pool shrinks to minWorkers after idleTimeout, and grows again on demand', async () => {
    for (const minWorkers of [0, 2]) {
      await using ex = make({ workers: 2, minWorkers, idleTimeout: 50 });
      await Promise.all([1, 2, 3, 4].map((n) => ex.submit(ref('double'), n)));
      await eventually(() => ex.stats().workers === minWorkers, `shrunk to ${minWorkers}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(ex.stats().workers, minWorkers, 'and stays there');
      assert.deepEqual(await Promise.all([1, 2].map((n) => ex.submit(ref('double'), n))), [2, 4]);
    }
  });

  it('a program that never calls close() still exits once its work is done: idle workers do not hold it', async () => {
    const index = new URL('../../../src/index.ts', import.meta.url).href;
    const program = `
      const { createExecutor, task } = await import(${JSON.stringify(index)});
      const ex = createExecutor({ mode: '${mode}', workers: 2, idleTimeout: 60_000 });
      const double = task(${JSON.stringify(fixtures.href)}, 'double');
      console.log(await Promise.all([1, 2, 3].map((n) => ex.submit(double, n))));`;
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', program],
      // Far less than idleTimeout: only an exit with idle workers still there ends it in time.
      { timeout: 30_000 },
    );
    assert.equal(stdout.trim(), '[ 2, 4, 6 ]');
  });

  it('a task that loops forever past its timeout rejects with TimeoutError and its worker is replaced', async () => {
    await using ex = make({ workers: 1 });
    const first = await ex.submit(ref('whoAmI'), undefined);
    const error = await ex.submit(ref('spin'), 0, { timeout: 200 }).catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.timeoutMs, 200);
    assert.notEqual(await ex.submit(ref('whoAmI'), undefined), first);
  });

  it('a timeout fires the task signal first, so a task that honours it ends without a new worker', async () => {
    await using ex = make({ workers: 1 });
    const first = await ex.submit(ref('whoAmI'), undefined);
    const error = await ex
      .submit(ref('waitForSignal'), undefined, { timeout: 100 })
      .catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutError);
    assert.equal(await ex.submit(ref('whoAmI'), undefined), first);
  });

  it('a running task that is cancelled rejects with CancelledError and gets its signal', async () => {
    await using ex = make({ workers: 1 });
    const controller = new AbortController();
    const running = ex.submit(ref('spin'), 0, { signal: controller.signal });
    const queued = ex.submit(ref('double'), 1, { signal: controller.signal });
    const other = ex.submit(ref('double'), 2);
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(running, CancelledError);
    await assert.rejects(queued, CancelledError);
    assert.equal(await other, 4);
    assert.equal(ex.stats().workers, 1);
  });

  it('close() waits for work in flight to finish', async () => {
    const ex = make();
    const results = [ex.submit(ref('sleep'), 150), ex.submit(ref('sleep'), 100)];
    await ex.close();
    assert.deepEqual(await Promise.all(results), [150, 100]);
    assert.equal(ex.stats().workers, 0);
    await assert.rejects(ex.submit(ref('double'), 1), /closed/);
  });

  it('close({ cancel: true }) cancels work in flight, even a task that never yields', async () => {
    const ex = make();
    await ex.submit(ref('double'), 1);
    const work = [
      ex.submit(ref('spin'), 0),
      ...[1, 2, 3].map((n) => ex.submit(ref('sleep'), n * 1000)),
    ];
    const outcomes = Promise.allSettled(work);
    await ex.close({ cancel: true });
    for (const outcome of await outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.ok(outcome.reason instanceof CancelledError);
    }
    assert.equal(ex.stats().workers, 0);
  });

  it('close({ timeout }) drains until the deadline, then cancels the rest', async () => {
    const ex = make({ workers: 1 });
    await ex.submit(ref('double'), 1);
    const outcomes = Promise.allSettled([
      ex.submit(ref('sleep'), 10),
      ex.submit(ref('waitForSignal'), undefined),
    ]);
    await ex.close({ timeout: 2_000 });
    const [quick, stuck] = await outcomes;
    assert.deepEqual(quick, { status: 'fulfilled', value: 10 });
    assert.equal(stuck?.status, 'rejected');
    assert.ok(stuck.reason instanceof CancelledError);
  });
});

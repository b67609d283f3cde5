/**
 * What a pool's real workers send back besides failures, in both pool modes: a quick
 * answer is not held back by a long task queued behind it on the same worker, a task's
 * progress reaches the caller, and each worker has an id of its own, with its tasks
 * counted in the stats.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { describeFaults, ref } from './real-workers.js';

describeFaults((make) => {
  it('a quick answer is not held back by a task known to run long, queued behind it on the same worker', async () => {
    await using ex = make({ workers: 1 });
    await Promise.all([1, 2, 3].map((n) => ex.submit(ref('double'), n)));
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-'));
    // Teach the worker that spinUntilFile runs long: one run that spins ~100 ms.
    const warm = join(dir, 'warm');
    setTimeout(() => writeFileSync(warm, ''), 100);
    await ex.submit(ref('spinUntilFile'), warm);
    // …and the pool that jobs are short again, so it sends the next two together.
    for (let n = 0; n < 40; n++) await ex.submit(ref('double'), n);
    const release = join(dir, 'release');
    const quick = ex.submit(ref('double'), 21);
    const long = ex.submit(ref('spinUntilFile'), release);
    // The long task spins until the quick answer has arrived: held back, it never would.
    assert.equal(await quick, 42);
    writeFileSync(release, '');
    assert.equal(await long, 'released');
  });

  it('ctx.progress reaches onProgress on the caller side', async () => {
    await using ex = make({ workers: 1 });
    const seen: unknown[] = [];
    assert.equal(await ex.submit(ref('reportProgress'), 3, { onProgress: (v) => seen.push(v) }), 3);
    assert.ok(seen.length >= 1);
    assert.equal(seen.at(-1), 3);
  });

  it('ctx.workerId tells the workers apart, and stats count tasks per worker', async () => {
    await using ex = make({ tasksPerWorker: 2 });
    // Work goes to the workers that have loaded the task, so on a busy machine the first
    // one may take a whole batch while the other still starts: batches go on until both
    // have answered.
    const ids = new Set<unknown>();
    let submitted = 0;
    while (ids.size < 2) {
      const batch = Array.from({ length: 8 }, () => ex.submit(ref('sleepThenWhoAmI'), 50));
      submitted += batch.length;
      for (const id of await Promise.all(batch)) ids.add(id);
    }
    assert.equal(ids.size, 2);
    const { pool } = ex.stats();
    assert.ok(pool);
    assert.equal(pool.perWorker.length, 2);
    assert.equal(
      pool.perWorker.reduce((sum, w) => sum + w.tasks, 0),
      submitted,
    );
  });
});

/**
 * Workers that die under a task, run against real workers in both pool modes: the task at
 * fault fails alone with WorkerCrashedError (an exit, the memory cap, a fatal signal), a new
 * worker takes over, a map chunk's other inputs run again, retries re-run and count it but
 * never on an input moved away with `transfer`, and 1,000 tasks throwing and exiting at
 * random each settle once; and a child process's stack, asked for below the system's cap,
 * lets a deep recursion throw instead of crash.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createExecutor, TaskError, WorkerCrashedError } from '../../../src/index.js';
import { describeFaults, makerFor, ref, TEST_TIMEOUT } from './real-workers.js';

describeFaults((make, mode) => {
  it('a task that calls process.exit(3) rejects with WorkerCrashedError, and a new worker takes over', async () => {
    await using ex = make({ workers: 1 });
    const first = await ex.submit(ref('whoAmI'), undefined);
    const error = await ex.submit(ref('exit'), 3).catch((e: unknown) => e);
    assert.ok(error instanceof WorkerCrashedError);
    assert.equal(error.exitCode, 3);
    const next = await ex.submit(ref('whoAmI'), undefined);
    assert.notEqual(next, first);
    assert.equal(ex.stats().workers, 1);
  });

  it('an input that kills its worker inside a map chunk fails alone; the rest of its chunk runs again', async () => {
    await using ex = make({ workers: 1 });
    const inputs = Array.from({ length: 20 }, (_, i) => i);
    const settled = [];
    for await (const outcome of ex.mapSettled(ref<number, number>('exitAtSeven'), inputs, {
      chunkSize: 10,
    }))
      settled.push(outcome);
    settled.sort((a, b) => a.index - b.index);
    for (const outcome of settled) {
      if (outcome.index === 7) {
        assert.equal(outcome.ok, false, `input ${outcome.index}`);
        assert.ok(!outcome.ok && outcome.error instanceof WorkerCrashedError);
        assert.equal(!outcome.ok && (outcome.error as WorkerCrashedError).exitCode, 9);
      } else assert.deepEqual(outcome, { index: outcome.index, ok: true, value: outcome.index });
    }
    assert.equal(settled.length, 20);
    assert.equal(ex.stats().workers, 1);
    // Finding the input at fault is not a retry.
    assert.equal(ex.stats().retried, 0);
  });

  it('with retries, a task whose input was moved with transfer is not re-run on an emptied buffer', async () => {
    await using ex = make({ workers: 1, retries: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'sy-transfer-'));
    const measure = ref<{ marker: string; buffer: ArrayBuffer }, number>('exitOnceThenMeasure');
    const copied = new ArrayBuffer(2048);
    assert.equal(await ex.submit(measure, { marker: join(dir, 'copied'), buffer: copied }), 2048);
    const moved = new ArrayBuffer(2048);
    const sent = ex.submit(
      measure,
      { marker: join(dir, 'moved'), buffer: moved },
      { transfer: [moved] },
    );
    if (mode === 'threads') {
      // The buffer went with the worker that died: a retry would have measured 0 bytes.
      await assert.rejects(sent, (error: unknown) => {
        assert.ok(error instanceof WorkerCrashedError);
        assert.match(error.message, /moved to that worker with `transfer`.*leave out `transfer`/);
        return true;
      });
      assert.equal(moved.byteLength, 0);
    } else {
      // A child process is sent a copy, whatever `transfer` says: the retry has it all.
      assert.equal(await sent, 2048);
      assert.equal(moved.byteLength, 2048);
    }
    assert.equal(ex.stats().retried, mode === 'threads' ? 1 : 2);
  });

  it('with retries, an input that kills its worker inside a chunk is re-run, then fails alone', async () => {
    await using ex = make({ workers: 1, retries: 1 });
    const settled = [];
    for await (const outcome of ex.mapSettled(ref<number, number>('exitAtSeven'), [5, 6, 7, 8], {
      chunkSize: 4,
    }))
      settled.push(outcome);
    settled.sort((a, b) => a.index - b.index);
    assert.deepEqual(
      settled.map((o) => (o.ok ? o.value : o.error.name)),
      [5, 6, 'WorkerCrashedError', 8],
    );
    assert.equal(ex.stats().retried, 1);
  });

  /**
   * Maps `name` over inputs 0–9 in chunks of five on two workers, input 3 ending its
   * worker: each input's outcome, and how many times it ran (counted in a log file, which
   * outlives the workers).
   */
  async function crashInChunk(name: string, retries: number) {
    const log = join(mkdtempSync(join(tmpdir(), 'switchyard-')), 'runs');
    writeFileSync(log, '');
    await using ex = make({ retries });
    const inputs = Array.from({ length: 10 }, (_, i) => ({ log, i, exitAt: 3 }));
    const outcomes: unknown[] = [];
    for await (const outcome of ex.mapSettled(ref(name), inputs, { chunkSize: 5 }))
      outcomes[outcome.index] = outcome.ok ? outcome.value : outcome.error;
    const runs: number[] = new Array(10).fill(0);
    for (const line of readFileSync(log, 'utf8').split('\n')) if (line) runs[Number(line)]!++;
    for (const [i, outcome] of outcomes.entries()) {
      if (i !== 3) assert.equal(outcome, i);
      else {
        assert.ok(outcome instanceof WorkerCrashedError, String(outcome));
        assert.equal(outcome.exitCode, 9);
      }
    }
    assert.equal(outcomes.length, 10);
    return { runs, retried: ex.stats().retried };
  }

  for (const [name, when] of [
    ['logThenExit', 'while it runs'],
    ['logThenExitLater', 'while it awaits'],
  ] as const) {
    it(`an input that kills its worker ${when} inside a map chunk runs once without retries; only the inputs whose results died with it run again`, async () => {
      const { runs, retried } = await crashInChunk(name, 0);
      // 0–2 had finished, but their results were still in the dead worker.
      assert.deepEqual(runs, [2, 2, 2, 1, 1, 1, 1, 1, 1, 1]);
      assert.equal(retried, 0);
    });

    it(`with retries: 1, an input that kills its worker ${when} inside a map chunk runs twice, then fails alone`, async () => {
      const { runs, retried } = await crashInChunk(name, 1);
      // The retry runs the chunk again; once the input fails, the chunk's others run once more.
      assert.deepEqual(runs, [3, 3, 3, 2, 1, 1, 1, 1, 1, 1]);
      assert.equal(retried, 1);
    });
  }

  it('a task that allocates past its memory cap rejects with WorkerCrashedError(memoryLimit)', async () => {
    await using ex = make({ workers: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } });
    const error = await ex.submit(ref('allocate'), undefined).catch((e: unknown) => e);
    assert.ok(error instanceof WorkerCrashedError, String(error));
    assert.equal(error.memoryLimit, true);
    assert.match(error.message, /memory limit/);
    assert.equal(await ex.submit(ref('double'), 4), 8);
  });

  it('1,000 tasks with random throws and exits each settle exactly once, and the pool ends at full size', async () => {
    await using ex = make();
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const inputs = Array.from({ length: 1000 }, (_, i) => ({ i, roll: random() }));
    const settled = new Map<number, string>();
    await Promise.all(
      inputs.map((input) =>
        ex.submit(ref('chaos'), input).then(
          (value) => {
            assert.equal(settled.has(input.i), false);
            settled.set(input.i, value === input.i ? 'ok' : 'wrong');
          },
          (error: Error) => {
            assert.equal(settled.has(input.i), false);
            settled.set(input.i, error.name);
          },
        ),
      ),
    );
    assert.equal(settled.size, 1000);
    const expect = (roll: number) =>
      roll < 0.01 ? 'WorkerCrashedError' : roll < 0.06 ? 'TaskError' : 'ok';
    for (const { i, roll } of inputs) {
      // A crash fails only the task that ran it; tasks held by that worker are re-queued.
      assert.equal(settled.get(i), expect(roll), `input ${i}`);
    }
    assert.equal(ex.stats().workers, 2);
    assert.equal(ex.stats().completed + ex.stats().failed, 1000);
  });

  it('retries re-run a task whose worker crashed, and count it', async () => {
    await using ex = make({ workers: 1, retries: 2 });
    const error = await ex.submit(ref('exit'), 9).catch((e: unknown) => e);
    assert.ok(error instanceof WorkerCrashedError);
    assert.equal(ex.stats().retried, 2);
  });
});

describe('processes: fatal signals', { timeout: TEST_TIMEOUT }, () => {
  const make = makerFor('processes');

  it('a task that kills itself with SIGSEGV rejects with WorkerCrashedError naming the signal', async () => {
    await using ex = make({ workers: 1 });
    const error = await ex.submit(ref('segfault'), undefined).catch((e: unknown) => e);
    assert.ok(error instanceof WorkerCrashedError);
    assert.equal(error.signal, 'SIGSEGV');
    assert.equal(await ex.submit(ref('double'), 3), 6);
  });
});

describe('processes: the stack a child process may ask for', { timeout: TEST_TIMEOUT }, () => {
  const cap = /^Max stack size\s+(\d+)/m.exec(
    existsSync('/proc/self/limits') ? readFileSync('/proc/self/limits', 'utf8') : '',
  );
  const capMb = cap ? Math.floor(Number(cap[1]) / (1024 * 1024)) : undefined;

  it('a stackSizeMb at the system cap is refused; below it, a deep recursion throws instead of crashing', async (t) => {
    if (capMb === undefined || capMb < 2) return t.skip('the system stack cap is unknown here');
    assert.throws(
      () => createExecutor({ mode: 'processes', resourceLimits: { stackSizeMb: capMb } }),
      (error: unknown) =>
        error instanceof RangeError &&
        error.message.includes(`use at most ${capMb - 1}`) &&
        /ulimit -s/.test(error.message),
    );
    await using ex = createExecutor({
      mode: 'processes',
      workers: 1,
      resourceLimits: { stackSizeMb: capMb - 1 },
    });
    await assert.rejects(ex.submit(ref('recurse'), undefined), (error: unknown) => {
      assert.ok(error instanceof TaskError, String(error));
      assert.match(error.message, /Maximum call stack size exceeded/);
      return true;
    });
  });
});

/**
 * The faults a pool must contain, run against real workers in both pool modes: every
 * failure ends as the right typed error, only the task at fault fails, and the pool is
 * back at full size afterwards.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  CancelledError,
  createExecutor,
  type Executor,
  SerializationError,
  SwitchyardError,
  TaskError,
  TaskNotFoundError,
  type ThreadsOptions,
  TimeoutError,
  task,
  WorkerCrashedError,
} from '../../../src/index.js';

const run = promisify(execFile);
const fixtures = new URL('./fixtures/tasks.mjs', import.meta.url);
const ref = <I = unknown, O = unknown>(name: string) => task<I, O>(fixtures, name);
const tsModule = new URL('./fixtures/typed.ts', import.meta.url);

/** Resolves once `condition` holds; fails the test if it never does within a generous time. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > 30_000) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Generous: workers start slowly on a shared machine, and nothing here measures time. */
const TEST_TIMEOUT = 120_000;

for (const mode of ['threads', 'processes'] as const) {
  const make = (options: Omit<ThreadsOptions, 'mode'> = {}) =>
    createExecutor({ mode, workers: 2, ...options });

  describe(`${mode}: faults are contained`, { timeout: TEST_TIMEOUT }, () => {
    it('a task that throws rejects with TaskError carrying its own error, and its worker stays', async () => {
      await using ex = make({ workers: 1 });
      const before = await ex.submit(ref('whoAmI'), undefined);
      const error = await ex.submit(ref('fail'), 'boom').catch((e: unknown) => e);
      assert.ok(error instanceof TaskError);
      assert.match(error.message, /RangeError: boom/);
      const cause = error.cause as Error & { code?: string };
      assert.equal(cause.name, 'RangeError');
      assert.equal(cause.message, 'boom');
      assert.equal(cause.code, 'E_TEST');
      assert.match(cause.stack ?? '', /tasks\.mjs/);
      assert.equal(await ex.submit(ref('whoAmI'), undefined), before);
    });

    it("a task's own error whose code is one of switchyard's stays the task's error, as on the calling thread", async () => {
      await using ex = make({ workers: 1 });
      await using loop = createExecutor({ mode: 'loop' });
      const causes = async (executor: Executor) => {
        const errors = [
          await executor.submit(ref('ownAbort'), undefined).catch((e: unknown) => e),
          await executor
            .submit(ref('failWithCode'), { name: 'AbortError', code: 'ABORT_ERR' })
            .catch((e: unknown) => e),
          await executor
            .submit(ref('failWithCode'), { name: 'Error', code: 'ERR_TIMEOUT' })
            .catch((e: unknown) => e),
        ];
        return errors.map((error) => {
          assert.ok(error instanceof TaskError, String(error));
          return error.cause as Error & { code?: unknown };
        });
      };
      const [inWorker, onThread] = [await causes(ex), await causes(loop)];
      for (const [i, cause] of inWorker.entries()) {
        assert.ok(!(cause instanceof SwitchyardError), `${cause.name}: ${cause.message}`);
        assert.ok(!(cause instanceof CancelledError));
        assert.ok(!(cause instanceof TimeoutError));
        const same = onThread[i]!;
        assert.ok(!(same instanceof SwitchyardError), 'loop gives the task its own error too');
        assert.equal(cause.name, same.name);
        assert.equal(cause.message, same.message);
        assert.equal(cause.code, same.code);
      }
      assert.deepEqual(
        inWorker.map((cause) => cause.code),
        ['ABORT_ERR', 'ABORT_ERR', 'ERR_TIMEOUT'],
      );
      assert.equal(inWorker[0]!.name, 'AbortError');
      assert.equal(inWorker[2]!.name, 'Error');
    });

    it("a task's AggregateError (Promise.any) comes back an AggregateError with its errors", async () => {
      await using ex = make({ workers: 1 });
      const error = await ex.submit(ref('anyOf'), ['a', 'b']).catch((e: unknown) => e);
      assert.ok(error instanceof TaskError, String(error));
      const cause = error.cause;
      assert.ok(cause instanceof AggregateError, String(cause));
      assert.deepEqual(
        cause.errors.map((e: Error) => [e.name, e.message]),
        [
          ['RangeError', 'a'],
          ['RangeError', 'b'],
        ],
      );
    });

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

    it('a task that allocates past its memory cap rejects with WorkerCrashedError(memoryLimit)', async () => {
      await using ex = make({ workers: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } });
      const error = await ex.submit(ref('allocate'), undefined).catch((e: unknown) => e);
      assert.ok(error instanceof WorkerCrashedError, String(error));
      assert.equal(error.memoryLimit, true);
      assert.match(error.message, /memory limit/);
      assert.equal(await ex.submit(ref('double'), 4), 8);
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

    it('an input holding a function is refused before queueing with SerializationError naming the path', async () => {
      await using ex = make();
      const error = await ex
        .submit(ref('echo'), { options: { onDone: () => {} } })
        .catch((e: unknown) => e);
      assert.ok(error instanceof SerializationError);
      assert.equal(error.path, 'input.options.onDone');
      assert.match(error.message, /^input\.options\.onDone is a function/);
    });

    it('inputs of a map chunk that cannot be sent fail alone, naming their path; the rest of the chunk runs', async () => {
      await using ex = make({ workers: 1 });
      const inputs: unknown[] = [1, 2, { onDone: () => {} }, 4, [5, Symbol('six')], 6];
      const settled = [];
      for await (const outcome of ex.mapSettled(ref('echo'), inputs, { chunkSize: 6 }))
        settled.push(outcome);
      settled.sort((a, b) => a.index - b.index);
      assert.deepEqual(
        settled.map((o) =>
          o.ok ? o.value : `${o.error.name}: ${(o.error as SerializationError).path}`,
        ),
        [1, 2, 'SerializationError: input.onDone', 4, 'SerializationError: input[1]', 6],
      );
    });

    it('a task that returns a function rejects with SerializationError naming the output', async () => {
      await using ex = make({ workers: 1 });
      const error = await ex.submit(ref('returnFunction'), undefined).catch((e: unknown) => e);
      assert.ok(error instanceof SerializationError);
      assert.equal(error.path, 'output');
      assert.equal(await ex.submit(ref('double'), 5), 10);
    });

    it('a missing export rejects with TaskNotFoundError naming what exists', async () => {
      await using ex = make();
      const error = await ex.submit(ref('noSuchTask'), 1).catch((e: unknown) => e);
      assert.ok(error instanceof TaskNotFoundError);
      assert.match(error.message, /noSuchTask/);
      assert.match(error.message, /double/);
    });

    it('a missing module fails the map before any input is read', async () => {
      await using ex = make();
      let read = 0;
      function* inputs() {
        for (;;) yield read++;
      }
      const missing = task(new URL('./fixtures/absent.mjs', import.meta.url), 'x');
      await assert.rejects(async () => {
        for await (const _ of ex.map(missing, inputs())) break;
      }, TaskNotFoundError);
      assert.equal(read, 0);
    });

    it('a .ts task module runs in a worker without a build step', async () => {
      await using ex = make();
      assert.equal(await ex.submit(task<string, string>(tsModule, 'shout'), 'hi'), 'HI!');
    });

    it('a plain function is refused with a TypeError saying to pass a task reference', async () => {
      await using ex = make();
      const plain = (n: number) => n;
      await assert.rejects(ex.submit(plain, 1), (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /task\(new URL\(/);
        return true;
      });
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

    it('retries re-run a task whose worker crashed, and count it', async () => {
      await using ex = make({ workers: 1, retries: 2 });
      const error = await ex.submit(ref('exit'), 9).catch((e: unknown) => e);
      assert.ok(error instanceof WorkerCrashedError);
      assert.equal(ex.stats().retried, 2);
    });

    it('ctx.progress reaches onProgress on the caller side', async () => {
      await using ex = make({ workers: 1 });
      const seen: unknown[] = [];
      assert.equal(
        await ex.submit(ref('reportProgress'), 3, { onProgress: (v) => seen.push(v) }),
        3,
      );
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

  if (mode === 'processes') {
    describe('processes: fatal signals', { timeout: TEST_TIMEOUT }, () => {
      it('a task that kills itself with SIGSEGV rejects with WorkerCrashedError naming the signal', async () => {
        await using ex = make({ workers: 1 });
        const error = await ex.submit(ref('segfault'), undefined).catch((e: unknown) => e);
        assert.ok(error instanceof WorkerCrashedError);
        assert.equal(error.signal, 'SIGSEGV');
        assert.equal(await ex.submit(ref('double'), 3), 6);
      });
    });
  }
}

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

/**
 * The failures a pool reports without losing a worker, run against real workers in both
 * pool modes: a task's own error comes back as the task's (TaskError, its cause as thrown,
 * however it is named or coded), an input or output a worker cannot take is refused with a
 * SerializationError naming its path, and a task reference that cannot be run is refused
 * (TaskNotFoundError for a missing export or module, a TypeError for a plain function),
 * while a .ts module runs as it is.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  CancelledError,
  createExecutor,
  type Executor,
  SerializationError,
  SwitchyardError,
  TaskError,
  TaskNotFoundError,
  TimeoutError,
  task,
} from '../../../src/index.js';
import { describeFaults, ref } from './real-workers.js';

const tsModule = new URL('./fixtures/typed.ts', import.meta.url);

describeFaults((make) => {
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
});

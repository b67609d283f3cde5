import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as wait } from 'node:timers/promises';
import { deserialize, serialize } from 'node:v8';
import fc from 'fast-check';
import {
  CancelledError,
  ERROR_CODES,
  ExecutorClosedError,
  JobFailedError,
  QueueClosedError,
  QueueFullError,
  RedisConnectionError,
  SerializationError,
  SwitchyardError,
  TaskError,
  TaskLostError,
  TaskNotFoundError,
  TimeoutError,
  WorkerCrashedError,
} from '../../src/core/errors.js';
import { fromWire, isSwitchyardWire, toWire } from '../../src/core/wire.js';
import { ONE_OF_EACH } from '../support/error-samples.js';

/** What crosses a boundary: structured clone, as between threads and processes. */
const cross = (error: unknown) => fromWire(deserialize(serialize(toWire(error))));

const message = fc.string({ maxLength: 40 });
/** switchyard's own codes: a task's error may carry one too (Node's AbortError is `ABORT_ERR`). */
const switchyardCode = fc.constantFrom(...Object.values(ERROR_CODES));
const plainError = fc
  .record({
    name: fc.constantFrom(
      'Error',
      'RangeError',
      'ValidationError',
      'HTTPError',
      'AbortError',
      'TimeoutError',
    ),
    message,
    code: fc.option(fc.oneof(fc.constantFrom('ENOENT', 'E_TEST', 42), switchyardCode), {
      nil: undefined,
    }),
    statusCode: fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
  })
  .map(({ name, message, code, statusCode }) => {
    const error = new Error(message);
    error.name = name;
    if (code !== undefined) Object.assign(error, { code });
    if (statusCode !== undefined) Object.assign(error, { statusCode });
    return error;
  });
const switchyardError = fc.oneof(
  fc.integer({ min: 1, max: 1e6 }).map((ms) => new TimeoutError(ms)),
  message.map((m) => new CancelledError(m)),
  fc
    .record({
      exitCode: fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }),
      signal: fc.constantFrom(null, 'SIGSEGV' as const, 'SIGKILL' as const),
      memoryLimit: fc.boolean(),
    })
    .map((exit) => new WorkerCrashedError(exit)),
  fc.tuple(message, message).map(([path, problem]) => new SerializationError(path, problem)),
  fc.tuple(message, message).map(([m, p]) => new TaskNotFoundError(`file:///${m}`, p, p)),
  plainError.map((cause) => new TaskError(cause, 'jobs#work')),
  fc.constantFrom('loop', 'threads').map((mode) => new ExecutorClosedError(mode)),
  fc.integer({ min: 1, max: 1e6 }).map((max) => new QueueFullError(max)),
  fc
    .tuple(message, fc.constantFrom('credentials' as const, 'unreachable' as const), message)
    .map(([where, reason, problem]) => new RedisConnectionError(where, reason, problem)),
  fc.tuple(message, message).map(([jobId, detail]) => new TaskLostError(jobId, detail)),
  fc.tuple(message, message).map(([jobId, reason]) => new JobFailedError(jobId, reason)),
  fc.constantFrom('put' as const, 'get' as const).map((op) => new QueueClosedError(op)),
);

describe('the error wire format', () => {
  it('a switchyard error comes back as its own class with its code, fields, message and stack', () => {
    fc.assert(
      fc.property(switchyardError, (error) => {
        const back = cross(error);
        assert.equal(back.constructor, error.constructor);
        assert.ok(back instanceof SwitchyardError);
        assert.equal(back.name, error.name);
        assert.equal(back.message, error.message);
        assert.equal(back.stack, error.stack);
        assert.equal((back as SwitchyardError).code, error.code);
        for (const key of Object.keys(error).filter((k) => k !== 'cause')) {
          assert.deepEqual(
            (back as unknown as Record<string, unknown>)[key],
            (error as unknown as Record<string, unknown>)[key],
            key,
          );
        }
      }),
    );
  });

  it('any other error comes back as an Error with its name, message, stack, code and plain fields', () => {
    fc.assert(
      fc.property(plainError, (error) => {
        const back = cross(error) as Error & { code?: unknown; statusCode?: unknown };
        assert.ok(!(back instanceof SwitchyardError));
        assert.equal(back.name, error.name);
        assert.equal(back.message, error.message);
        assert.equal(back.stack, error.stack);
        assert.equal(back.code, (error as { code?: unknown }).code);
        assert.equal(back.statusCode, (error as { statusCode?: unknown }).statusCode);
      }),
    );
  });

  it('every switchyard class comes back as itself', () => {
    assert.deepEqual(
      new Set(ONE_OF_EACH.map((error) => error.code)),
      new Set(Object.values(ERROR_CODES)),
      'one of each class',
    );
    for (const error of ONE_OF_EACH) {
      const back = cross(error);
      assert.equal(back.constructor, error.constructor, error.name);
      assert.ok(back instanceof error.constructor);
      assert.ok(back instanceof SwitchyardError);
      assert.equal(back.name, error.name);
      assert.ok(isSwitchyardWire(toWire(error)), error.name);
    }
  });

  it("an error of the task's own whose code is one of switchyard's comes back as the task's, not as switchyard's class", () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Error', 'AbortError', 'TimeoutError', 'HTTPError'),
        message,
        switchyardCode,
        (name, text, code) => {
          const error = Object.assign(new Error(text), { code });
          error.name = name;
          const wire = toWire(error);
          assert.ok(!isSwitchyardWire(wire));
          for (const back of [
            cross(error),
            cross(new TaskError(error, 'jobs#work')).cause as Error,
          ]) {
            assert.equal(back.constructor, Error);
            assert.ok(!(back instanceof SwitchyardError));
            assert.ok(!(back instanceof CancelledError));
            assert.ok(!(back instanceof TimeoutError));
            assert.equal(back.name, name);
            assert.equal(back.message, text);
            assert.equal(back.stack, error.stack);
            assert.equal((back as { code?: unknown }).code, code);
          }
        },
      ),
    );
  });

  it("Node's own AbortError (code ABORT_ERR) comes back as itself, with its DOMException cause", async () => {
    const error: unknown = await wait(60_000, null, { signal: AbortSignal.abort() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof Error);
    assert.equal((error as { code?: unknown }).code, 'ABORT_ERR');
    const back = cross(new TaskError(error, 'jobs#work'));
    assert.ok(back instanceof TaskError);
    const cause = back.cause as Error & { code?: unknown };
    assert.ok(!(cause instanceof CancelledError));
    assert.ok(!(cause instanceof SwitchyardError));
    assert.equal(cause.name, 'AbortError');
    assert.equal(cause.code, 'ABORT_ERR');
    assert.equal((cause.cause as Error).name, (error.cause as Error).name);
  });

  it("a TaskError keeps the task's own error as its cause", () => {
    fc.assert(
      fc.property(plainError, (cause) => {
        const back = cross(new TaskError(cause, 'jobs#work'));
        assert.ok(back instanceof TaskError);
        const rebuilt = back.cause as Error;
        assert.equal(rebuilt.name, cause.name);
        assert.equal(rebuilt.message, cause.message);
        assert.equal(rebuilt.stack, cause.stack);
      }),
    );
  });

  it('a value that is not an Error is described in words', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), (value) => {
        const back = cross(value);
        assert.equal(back.name, 'Error');
        assert.match(back.message, /^non-error value thrown: /);
      }),
    );
  });

  it('an AggregateError comes back an AggregateError with each of its errors, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(plainError, switchyardError), { maxLength: 8 }),
        message,
        (errors, text) => {
          const back = cross(new AggregateError(errors, text));
          assert.ok(back instanceof AggregateError);
          assert.equal(back.message, text);
          assert.equal(back.errors.length, errors.length);
          for (const [i, error] of errors.entries()) {
            const rebuilt = back.errors[i] as Error;
            assert.equal(rebuilt.name, error.name);
            assert.equal(rebuilt.message, error.message);
            assert.equal(rebuilt instanceof SwitchyardError, error instanceof SwitchyardError);
          }
        },
      ),
    );
  });

  it('aggregates within aggregates, and an aggregate that holds itself, end', () => {
    const wide = new AggregateError(
      Array.from(
        { length: 40 },
        () => new AggregateError(Array.from({ length: 40 }, () => new Error('x'))),
      ),
      'wide',
    );
    const self = new AggregateError([], 'self');
    self.errors.push(self);
    for (const error of [wide, self]) {
      let count = 0;
      const visit = (e: Error, depth: number): void => {
        count++;
        assert.ok(depth < 20);
        if (e instanceof AggregateError) for (const each of e.errors) visit(each, depth + 1);
      };
      visit(cross(error), 0);
      assert.ok(count > 1 && count <= 300, `${count} errors`);
    }
  });

  it('a cycle of causes ends', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    let depth = 0;
    for (let e: unknown = cross(a); e instanceof Error; e = e.cause) depth++;
    assert.ok(depth > 1 && depth < 20, `depth ${depth}`);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deserialize, serialize } from 'node:v8';
import fc from 'fast-check';
import {
  CancelledError,
  SerializationError,
  SwitchyardError,
  TaskError,
  TaskNotFoundError,
  TimeoutError,
  WorkerCrashedError,
} from '../../src/core/errors.js';
import { fromWire, toWire } from '../../src/core/wire.js';

/** What crosses a boundary: structured clone, as between threads and processes. */
const cross = (error: unknown) => fromWire(deserialize(serialize(toWire(error))));

const message = fc.string({ maxLength: 40 });
const plainError = fc
  .record({
    name: fc.constantFrom('Error', 'RangeError', 'ValidationError', 'HTTPError'),
    message,
    code: fc.option(fc.constantFrom('ENOENT', 'E_TEST', 42), { nil: undefined }),
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

  it('a cycle of causes ends', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    let depth = 0;
    for (let e: unknown = cross(a); e instanceof Error; e = e.cause) depth++;
    assert.ok(depth > 1 && depth < 20, `depth ${depth}`);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CancelledError,
  ERROR_CODES,
  QueueFullError,
  SwitchyardError,
  TaskError,
  TimeoutError,
  WorkerCrashedError,
} from '../../src/index.js';
import { ONE_OF_EACH } from '../support/error-samples.js';

describe('errors', () => {
  it('every error is a SwitchyardError and an Error, with its own stable code', () => {
    const codes = new Set<string>();
    for (const error of ONE_OF_EACH) {
      assert.ok(error instanceof SwitchyardError, error.name);
      assert.ok(error instanceof Error, error.name);
      assert.equal(typeof error.code, 'string', error.name);
      codes.add(error.code!);
    }
    assert.equal(codes.size, ONE_OF_EACH.length, 'codes are distinct');
    assert.deepEqual([...codes].sort(), Object.values(ERROR_CODES).sort());
  });

  it('CancelledError is named AbortError and shares the platform AbortError code', () => {
    const error = new CancelledError();
    assert.equal(error.name, 'AbortError');
    assert.equal(error.code, 'ABORT_ERR');
  });

  it('instanceof tells the classes apart', () => {
    assert.ok(!(new TimeoutError(1) instanceof CancelledError));
    assert.ok(!(new CancelledError() instanceof TimeoutError));
    assert.ok(!(new Error('x') instanceof SwitchyardError));
    assert.ok(!((null as unknown) instanceof SwitchyardError));
  });

  it("instanceof holds for errors made by another copy of switchyard's module", async () => {
    // A second instance of the module, as a worker's bundled program or a second install has.
    const other = (await import(
      `../../src/core/errors.ts?copy=${Date.now()}`
    )) as typeof import('../../src/core/errors.js');
    assert.notEqual(other.TimeoutError, TimeoutError, 'really another copy');
    const theirs = new other.TimeoutError(50);
    assert.ok(theirs instanceof TimeoutError);
    assert.ok(theirs instanceof SwitchyardError);
    assert.ok(!(theirs instanceof CancelledError));
    assert.ok(new TimeoutError(5) instanceof other.TimeoutError);
  });

  it("a user's own subclass keeps plain prototype semantics", () => {
    class RetryableTaskError extends TaskError {}
    const plain = new TaskError(new Error('x'));
    const own = new RetryableTaskError(new Error('y'));
    assert.ok(own instanceof TaskError);
    assert.ok(own instanceof RetryableTaskError);
    assert.ok(!(plain instanceof RetryableTaskError));
  });

  it('every message says what to do', () => {
    assert.match(new TimeoutError(200).message, /raise `timeout`/);
    assert.match(new QueueFullError(10).message, /await ex.ready\(\)/);
    assert.match(new WorkerCrashedError({ signal: 'SIGSEGV' }).message, /SIGSEGV.*retries/);
  });
});

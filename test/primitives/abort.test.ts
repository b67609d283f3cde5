import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, TimeoutError } from '../../src/core/errors.js';
import {
  abortError,
  LazyAbortController,
  linkedController,
  onAbort,
} from '../../src/primitives/abort.js';

describe('abort helpers', () => {
  it('a lazy controller makes its signal only when asked, already aborted if it was', () => {
    const controller = new LazyAbortController();
    const reason = new TimeoutError(5);
    controller.abort(reason);
    controller.abort(new Error('second abort is ignored'));
    assert.equal(controller.aborted, true);
    assert.equal(controller.signal.aborted, true);
    assert.equal(controller.signal.reason, reason);
  });

  it('a lazy controller fires a signal made before the abort', () => {
    const controller = new LazyAbortController();
    const { signal } = controller;
    let fired = 0;
    signal.addEventListener('abort', () => fired++);
    controller.abort();
    assert.equal(fired, 1);
    assert.equal((signal.reason as Error).name, 'AbortError');
  });

  it('abortError passes switchyard reasons on and wraps any other in CancelledError', () => {
    const timeout = new TimeoutError(1);
    assert.equal(abortError(AbortSignal.abort(timeout)), timeout);
    const other = new Error('user reason');
    const wrapped = abortError(AbortSignal.abort(other));
    assert.ok(wrapped instanceof CancelledError);
    assert.equal(wrapped.cause, other);
  });

  it('onAbort calls back once per listener, and a detached listener not at all', () => {
    for (const source of [new AbortController(), new LazyAbortController()]) {
      const calls: string[] = [];
      onAbort(source, () => calls.push('a'));
      const detach = onAbort(source, () => calls.push('b'));
      detach();
      source.abort();
      source.abort();
      assert.deepEqual(calls, ['a']);
      onAbort(source, () => calls.push('late'));
      assert.deepEqual(calls, ['a', 'late'], 'a listener added after the abort is called at once');
    }
  });

  it('a linked controller follows any of its parents, until unlinked', () => {
    const a = new AbortController();
    const b = new LazyAbortController();
    const { controller, unlink } = linkedController(a.signal, b, undefined);
    b.abort(new CancelledError('from b'));
    assert.equal((controller.reason as Error).message, 'from b');

    const other = linkedController(a.signal);
    other.unlink();
    a.abort();
    assert.equal(other.controller.aborted, false);
    unlink();
  });
});

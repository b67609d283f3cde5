/**
 * One place that maps `AbortSignal` reasons onto switchyard's errors: a signal aborted by
 * switchyard carries a {@link TimeoutError} or {@link CancelledError} and is passed on as is;
 * a signal aborted by user code (reason: a platform `AbortError`, or anything else) becomes a
 * {@link CancelledError} that keeps the reason as `cause`.
 */
import { setMaxListeners } from 'node:events';
import { CancelledError, TimeoutError } from '../errors.js';

/** The error an operation should reject with when `signal` has aborted. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof CancelledError || reason instanceof TimeoutError) return reason;
  return new CancelledError(undefined, { cause: reason });
}

/** Throws {@link abortError} if `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Validates an optional `signal` option. */
export function checkSignal(signal: unknown, where: string): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new TypeError(`${where}: signal must be an AbortSignal, got ${typeof signal}`);
}

/**
 * Calls `onAbort` once when `signal` aborts (at once if it already has). Returns a
 * function that detaches the listener — call it when the operation settles, so that
 * long-lived signals do not collect listeners.
 */
export function onAbort(
  signal: AbortSignal | undefined,
  onAbort: (error: Error) => void,
): () => void {
  if (!signal) return noop;
  if (signal.aborted) {
    onAbort(abortError(signal));
    return noop;
  }
  const listener = () => onAbort(abortError(signal));
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/**
 * An `AbortController` that also aborts when any of `parents` does. Returns it with a
 * function that unlinks it from the parents once it is no longer needed, so long-lived
 * parent signals do not collect listeners.
 */
export function linkedController(...parents: (AbortSignal | undefined)[]): {
  controller: AbortController;
  unlink: () => void;
} {
  const controller = new AbortController();
  // It may become the parent of every task in flight: that many listeners is by design.
  setMaxListeners(0, controller.signal);
  const abort = (error: Error) => {
    if (!controller.signal.aborted) controller.abort(error);
  };
  const detachers = parents.map((parent) => onAbort(parent, abort));
  const unlink =
    detachers.length === 1
      ? detachers[0]!
      : () => {
          for (const detach of detachers) detach();
        };
  return { controller, unlink };
}

function noop(): void {}

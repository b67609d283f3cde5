/**
 * One place that maps `AbortSignal` reasons onto switchyard's errors: a signal aborted by
 * switchyard carries a {@link TimeoutError} or {@link CancelledError} and is passed on as is;
 * a signal aborted by user code (reason: a platform `AbortError`, or anything else) becomes a
 * {@link CancelledError} that keeps the reason as `cause`.
 *
 * It is also where cancellation is made cheap enough to give every task its own: see
 * {@link LazyAbortController} and {@link onAbort}.
 */
import { setMaxListeners } from 'node:events';
import { CancelledError, TimeoutError } from '../core/errors.js';
import { Fifo } from './fifo.js';

/**
 * An `AbortController` whose `AbortSignal` is made only when someone reads `signal`.
 * Making a signal costs microseconds in Node 20 — more than running a small task — and
 * most tasks never look at theirs, so cancellation flows through plain callbacks
 * ({@link onAbort}) and a real signal exists only for code that asks for one.
 */
export class LazyAbortController implements AbortController {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  // A linked list: executor- and map-wide controllers gain and lose one listener per task,
  // and unlinking a node costs less than hashing a key out of a Set.
  #listeners: Fifo<(error: Error) => void> | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      // The tasks of a map share one controller, and each may hand the signal on (undici,
      // fetch, timers): one listener per task in flight is by design, not a leak.
      setMaxListeners(0, this.#controller.signal);
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Aborts once; later calls do nothing. */
  abort(reason?: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    this.#controller?.abort(this.#reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) {
      for (let next = listeners.shift(); next; next = listeners.shift()) next(abortError(this));
    }
  }

  /** Calls `listener` once on abort, with {@link abortError}; returns the function that detaches it. Use {@link onAbort}. */
  subscribe(listener: (error: Error) => void): () => void {
    this.#listeners ??= new Fifo();
    const listeners = this.#listeners;
    const node = listeners.push(listener);
    return () => listeners.remove(node);
  }
}

/** What an operation can be cancelled through: a platform signal or a controller. */
export type Abortable = AbortSignal | AbortController;

/** The error an operation should reject with when `source` has aborted. */
export function abortError(source: Abortable): Error {
  const reason: unknown = signalOf(source).reason;
  if (reason instanceof CancelledError || reason instanceof TimeoutError) return reason;
  return new CancelledError(undefined, { cause: reason });
}

/** True once `source` has aborted (without making a lazy controller's signal). */
export function isAborted(source: Abortable | undefined): boolean {
  return source !== undefined && signalOf(source).aborted;
}

/** Throws {@link abortError} if `source` has aborted. */
export function throwIfAborted(source: Abortable | undefined): void {
  if (source && isAborted(source)) throw abortError(source);
}

/**
 * Calls `onAbort` once when `source` aborts (at once if it already has). Returns a
 * function that detaches the listener — call it when the operation settles, so that
 * long-lived signals do not collect listeners. Attaching and detaching cost O(1).
 */
export function onAbort(
  source: Abortable | undefined,
  onAbort: (error: Error) => void,
): () => void {
  if (!source) return noop;
  if (isAborted(source)) {
    onAbort(abortError(source));
    return noop;
  }
  if (source instanceof LazyAbortController) return source.subscribe(onAbort);
  const listener = () => onAbort(abortError(source));
  const listeners = fanOut(source instanceof AbortSignal ? source : source.signal);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The callbacks waiting on each platform signal. An executor-wide or a user's signal may
 * have one waiter per task in flight, and `EventTarget` adds and removes listeners in time
 * linear in how many it holds — quadratic over a big batch — so each signal gets one real
 * listener that calls a `Set`.
 */
const fanOuts = new WeakMap<AbortSignal, Set<() => void>>();

function fanOut(signal: AbortSignal): Set<() => void> {
  let listeners = fanOuts.get(signal);
  if (!listeners) {
    const created = new Set<() => void>();
    fanOuts.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        fanOuts.delete(signal);
        for (const listener of created) listener();
      },
      { once: true },
    );
    listeners = created;
  }
  return listeners;
}

/**
 * A controller that also aborts when any of `parents` does. Returns it with a function
 * that unlinks it from the parents once it is no longer needed, so long-lived parents do
 * not collect listeners.
 */
export function linkedController(...parents: (Abortable | undefined)[]): {
  controller: LazyAbortController;
  unlink: () => void;
} {
  const controller = new LazyAbortController();
  const abort = (error: Error) => controller.abort(error);
  const detachers = parents.map((parent) => onAbort(parent, abort));
  const unlink =
    detachers.length === 1
      ? detachers[0]!
      : () => {
          for (const detach of detachers) detach();
        };
  return { controller, unlink };
}

/** A lazy controller stands for its own state, so asking about it does not make its signal. */
function signalOf(source: Abortable): { readonly aborted: boolean; readonly reason: unknown } {
  if (source instanceof LazyAbortController || source instanceof AbortSignal) return source;
  return source.signal;
}

function noop(): void {}

import { checkSignal } from '../core/checks.js';
import { TimeoutError } from '../core/errors.js';
import { type Abortable, isAborted, linkedController, onAbort } from './abort.js';

/** Work that can be raced against a deadline: a promise, or a function given the abort signal. */
export type Work<T> = PromiseLike<T> | ((signal: AbortSignal) => T | PromiseLike<T>);

/**
 * Settles like `work`, or rejects with {@link TimeoutError} after `ms` milliseconds (and with
 * `CancelledError` if `options.signal` aborts first). A function is given a signal that fires
 * at the deadline, so it can stop; a bare promise cannot be stopped, only abandoned.
 *
 * @example
 * const page = await withTimeout((signal) => fetch(url, { signal }), 2_000);
 */
export function withTimeout<T>(
  work: Work<T>,
  ms: number,
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`withTimeout(): ms must be a finite number >= 0, got ${ms}`);
  }
  const { controller, unlink } = linkedController(checkSignal(options.signal, 'withTimeout()'));
  const timer = setTimeout(() => controller.abort(new TimeoutError(ms, 'operation')), ms);
  const settled = raceAbort(
    typeof work === 'function' ? () => work(controller.signal) : () => work,
    controller,
  );
  settled.then(release, release);
  return settled;

  function release() {
    clearTimeout(timer);
    unlink();
  }
}

/**
 * Starts `work` and settles with its outcome, or rejects as soon as `source` aborts —
 * whichever comes first; `work` is not started if `source` has already aborted. A
 * function that throws synchronously rejects the promise.
 */
export function raceAbort<T>(work: () => T | PromiseLike<T>, source: Abortable): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const detach = onAbort(source, reject);
    if (isAborted(source)) return;
    let running: PromiseLike<T> | T;
    try {
      running = work();
    } catch (error) {
      detach();
      reject(error);
      return;
    }
    Promise.resolve(running).then(
      (value) => {
        detach();
        resolve(value);
      },
      (error: unknown) => {
        detach();
        reject(error);
      },
    );
  });
}

import { TimeoutError } from '../errors.js';
import { checkSignal, linkedController, onAbort } from './abort.js';

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
  const settled = raceAbort(work, controller.signal);
  settled.then(release, release);
  return settled;

  function release() {
    clearTimeout(timer);
    unlink();
  }
}

/**
 * Runs `work` with `signal` and settles with its outcome, or rejects as soon as `signal`
 * aborts — whichever comes first. A function that throws synchronously rejects the promise.
 */
export function raceAbort<T>(work: Work<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const detach = onAbort(signal, reject);
    if (signal.aborted) return;
    let running: PromiseLike<T> | T;
    try {
      running = typeof work === 'function' ? work(signal) : work;
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

import { checkSignal } from '../core/checks.js';
import { onAbort, throwIfAborted } from './abort.js';

/**
 * Resolves after `ms` milliseconds; rejects with `CancelledError` if `signal` aborts first.
 *
 * @example
 * await sleep(100, { signal });
 */
export function sleep(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`sleep(): ms must be a finite number >= 0, got ${ms}`);
  }
  const signal = checkSignal(options.signal, 'sleep()');
  return new Promise<void>((resolve, reject) => {
    throwIfAborted(signal);
    const timer = setTimeout(() => {
      detach();
      resolve();
    }, ms);
    const detach = onAbort(signal, (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * `ctx.progress(value)` must never block or break the task that calls it, so reports are
 * delivered off the task's stack and coalesced: the first on the next microtask, then at
 * most one per interval, carrying the latest value.
 */
import { DEFAULTS } from '../core/defaults.js';
import type { MapOptions } from '../core/types.js';

export function throttleProgress(
  deliver: ((value: unknown) => void) | undefined,
  intervalMs = DEFAULTS.progressInterval,
): (value: unknown) => void {
  if (!deliver) return ignore;
  let last = Number.NEGATIVE_INFINITY;
  let latest: unknown;
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    last = performance.now();
    try {
      deliver(latest);
    } catch (error) {
      process.emitWarning(`switchyard: onProgress threw and was ignored: ${String(error)}`);
    }
  };

  return (value) => {
    latest = value;
    if (scheduled) return;
    scheduled = true;
    const wait = last + intervalMs - performance.now();
    if (wait <= 0) queueMicrotask(flush);
    else setTimeout(flush, wait);
  };
}

function ignore(): void {}

/** `ctx.progress` of a chunk's inputs, throttled per input, reported with each input's index. */
export function chunkProgress(
  onProgress: MapOptions['onProgress'],
  first: number,
): (value: unknown, offset: number) => void {
  if (!onProgress) return ignore;
  const perInput = new Map<number, (value: unknown) => void>();
  return (value, offset) => {
    let report = perInput.get(offset);
    if (!report) {
      report = throttleProgress((latest) => onProgress(latest, first + offset));
      perInput.set(offset, report);
    }
    report(value);
  };
}

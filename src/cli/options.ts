/** Parsers for numeric command-line options: a bad value becomes commander's one-line error. */
import { InvalidArgumentError } from 'commander';
import { MAX_WORKERS } from '../core/defaults.js';

/** Parses an integer >= `min`. */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`must be an integer >= ${min}.`);
    }
    return n;
  };
}

/** Parses an integer in `[min, max]`; `why` (if given) says what the bound protects. */
export function integerBetween(min: number, max: number, why?: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `must be an integer >= ${min} and <= ${max}${why ? `: ${why}` : ''}.`,
      );
    }
    return n;
  };
}

/** Parses `--workers`: a pool size, at most {@link MAX_WORKERS}. */
export const workerCount = integerBetween(
  1,
  MAX_WORKERS,
  'each worker is a thread or a process with memory of its own',
);

/** Parses a number in `(0, max]`. */
export function positiveAtMost(max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
      throw new InvalidArgumentError(`must be a number > 0 and <= ${max}.`);
    }
    return n;
  };
}

/** Parses a comma-separated list of distinct values, each one of `choices`. */
export function listOf<T extends string>(choices: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = value.split(',').map((s) => s.trim());
    const bad = items.filter((s) => !(choices as readonly string[]).includes(s));
    if (items.length === 0 || bad.length > 0) {
      throw new InvalidArgumentError(
        `unknown value ${bad.map((b) => `'${b}'`).join(', ') || "''"}; choose from ${choices.join(', ')}, comma-separated.`,
      );
    }
    return [...new Set(items as T[])];
  };
}

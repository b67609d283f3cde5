/**
 * Argument checks shared by every public entry point: each turns a wrong value into a
 * `TypeError` or `RangeError` that names the function, the option and what it accepts.
 */
import { describe } from './errors.js';
import { isTask } from './task.js';

/** Validates an optional `signal` option. */
export function checkSignal(signal: unknown, where: string): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new TypeError(`${where}: signal must be an AbortSignal, got ${typeof signal}`);
}

/**
 * Validates an integer count option: `where` names the function for the message; `Infinity`
 * is accepted only where it means "no limit".
 */
export function checkCount(
  options: Record<string, unknown>,
  name: string,
  min: number,
  { where = 'createExecutor()', unlimited = false }: { where?: string; unlimited?: boolean } = {},
): void {
  const value = options[name];
  if (value === undefined) return;
  if (unlimited && value === Number.POSITIVE_INFINITY) return;
  if (Number.isInteger(value) && (value as number) >= min) return;
  throw new RangeError(
    `${where}: option '${name}' must be an integer >= ${min}${unlimited ? ' (or Infinity for no limit)' : ''}, got ${shown(value)}`,
  );
}

/** Validates a duration option in milliseconds: a finite number > 0 (or >= 0 with `allowZero`). */
export function checkMilliseconds(
  options: Record<string, unknown>,
  name: string,
  allowZero = false,
  where = 'createExecutor()',
): void {
  const value = options[name];
  if (value === undefined) return;
  if (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (value > 0 || (allowZero && value === 0))
  )
    return;
  throw new RangeError(
    `${where}: option '${name}' must be a number of milliseconds ${allowZero ? '>= 0' : '> 0'}, got ${shown(value)}`,
  );
}

/**
 * A wrong value as a message shows it: a string in quotes (so that `'2'` does not read as
 * the number 2), an object or a function by its kind.
 */
export function shown(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'function') return 'a function';
  return describe(value);
}

/**
 * `; did you mean 'x'?` for an unknown name close to a known one: the same but for case, or
 * one or two letters off (a typo such as `timout` or `worker`).
 */
export function suggestion(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase();
  const most = lower.length > 4 ? 2 : 1;
  const near =
    known.find((name) => name.toLowerCase() === lower) ??
    known.find((name) => editDistance(name.toLowerCase(), lower) <= most);
  return near ? `; did you mean '${near}'?` : '';
}

/** Letters inserted, deleted or changed to turn `a` into `b` (Levenshtein's distance). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const change = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(change, previous[j]! + 1, row[j - 1]! + 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The task argument is a task reference or a function (which only some modes run; the
 * others refuse it with their own reasons when they prepare it).
 */
export function checkTask(task: unknown, where: string): void {
  if (typeof task === 'function' || isTask(task)) return;
  const what = task === null ? 'null' : Array.isArray(task) ? 'an array' : typeof task;
  throw new TypeError(
    `${where}: expected a task reference made by task(new URL('./tasks.js', import.meta.url), 'name'), or a function for sync and loop; got ${what}`,
  );
}

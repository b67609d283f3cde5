/**
 * Argument checks shared by every public entry point: each turns a wrong value into a
 * `TypeError` or `RangeError` that names the function, the option and what it accepts.
 */

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
    `${where}: option '${name}' must be an integer >= ${min}${unlimited ? ' (or Infinity for no limit)' : ''}, got ${String(value)}`,
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
    `${where}: option '${name}' must be a number of milliseconds ${allowZero ? '>= 0' : '> 0'}, got ${String(value)}`,
  );
}

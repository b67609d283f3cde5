/**
 * Finds where in a value something is that cannot be structured-cloned to a worker, so a
 * `SerializationError` can name it (`input.options.onDone is a function`) instead of
 * repeating the platform's pathless `DataCloneError`.
 */

/** Where the first unsendable part of a value is, and what it is. */
export interface Unsendable {
  /** e.g. `input.options.onDone`, `input[3]`, `output.get("key")`. */
  readonly path: string;
  /** e.g. `is a function`. */
  readonly problem: string;
}

const UNCLONEABLE_CLASSES: readonly [new (...args: never[]) => unknown, string][] = [
  [WeakMap, 'a WeakMap'],
  [WeakSet, 'a WeakSet'],
  [WeakRef, 'a WeakRef'],
  [Promise, 'a Promise'],
];

/** The first part of `value` (depth first) that structured cloning rejects, or `undefined`. */
export function findUnsendable(value: unknown, root: string): Unsendable | undefined {
  if (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')
    return undefined;
  if (isFlat(value)) return undefined;
  const found = walk(value, new Set());
  return found && { path: root + found.steps.reverse().join(''), problem: found.problem };
}

/**
 * What `walk` found: the problem, and the steps to it from the innermost out. The path is
 * spelled only once something is found: the common case, a sendable value, builds no strings.
 */
/**
 * A plain object or array whose values are all primitives — most inputs — is sendable,
 * and is answered without the walk's bookkeeping (a `Set` per call, on every `submit`).
 */
function isFlat(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (
      typeof item === 'object'
        ? item !== null
        : typeof item === 'function' || typeof item === 'symbol'
    )
      return false;
  }
  return true;
}

interface Found {
  readonly problem: string;
  readonly steps: string[];
}

function walk(value: unknown, seen: Set<object>): Found | undefined {
  if (typeof value === 'function') return { problem: 'is a function', steps: [] };
  if (typeof value === 'symbol') return { problem: 'is a symbol', steps: [] };
  if (typeof value !== 'object' || value === null) return undefined;
  if (seen.has(value)) return undefined; // cycles clone fine
  seen.add(value);
  for (const [cls, name] of UNCLONEABLE_CLASSES) {
    if (value instanceof cls) return { problem: `is ${name}`, steps: [] };
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date)
    return undefined;
  if (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)
    return undefined;
  if (value instanceof Map) {
    for (const [key, item] of value) {
      const inKey = walk(key, seen);
      if (inKey) return step(inKey, `.keys()[${describeKey(key)}]`);
      const inItem = walk(item, seen);
      if (inItem) return step(inItem, `.get(${describeKey(key)})`);
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const item of value) {
      const found = walk(item, seen);
      if (found) return step(found, `.values()[${i}]`);
      i++;
    }
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], seen);
      if (found) return step(found, `[${i}]`);
    }
    return undefined;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const found = walk((value as Record<string, unknown>)[key], seen);
    if (found) return step(found, property(key));
  }
  return undefined;
}

function step(found: Found, from: string): Found {
  found.steps.push(from);
  return found;
}

function property(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : String(key);
}

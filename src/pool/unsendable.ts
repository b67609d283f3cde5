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
  return walk(value, root, new Set());
}

function walk(value: unknown, path: string, seen: Set<object>): Unsendable | undefined {
  if (typeof value === 'function') return { path, problem: 'is a function' };
  if (typeof value === 'symbol') return { path, problem: 'is a symbol' };
  if (typeof value !== 'object' || value === null) return undefined;
  if (seen.has(value)) return undefined; // cycles clone fine
  seen.add(value);
  for (const [cls, name] of UNCLONEABLE_CLASSES) {
    if (value instanceof cls) return { path, problem: `is ${name}` };
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date)
    return undefined;
  if (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)
    return undefined;
  if (value instanceof Map) {
    for (const [key, item] of value) {
      const found =
        walk(key, `${path}.keys()[${describeKey(key)}]`, seen) ??
        walk(item, `${path}.get(${describeKey(key)})`, seen);
      if (found) return found;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const item of value) {
      const found = walk(item, `${path}.values()[${i++}]`, seen);
      if (found) return found;
    }
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], `${path}[${i}]`, seen);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const found = walk((value as Record<string, unknown>)[key], `${path}${property(key)}`, seen);
    if (found) return found;
  }
  return undefined;
}

function property(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : String(key);
}

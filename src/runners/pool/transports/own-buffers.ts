/**
 * Node's IPC channel (`processes`, `serialization: 'advanced'`) deserializes a typed array,
 * `DataView` or `Buffer` as a view into the bytes it read: a shared, pooled slab that holds
 * other messages too. A task reading `new Float64Array(input.buffer)[0]` got another
 * message's bytes, and a 16-byte view kept the whole slab alive. Threads (structured clone)
 * give each view a buffer of its own; so does this, for what a process receives.
 *
 * Node offers no hook into its IPC deserializer, and encoding every batch ourselves (then
 * sending the bytes) doubled the fixed cost of each message, which a burst of small tasks
 * pays per task. So the received message is walked instead: the walk only follows values
 * that are objects and copies only views; it costs a few percent of the deserialization
 * before it. It follows what V8 deserializes: arrays, plain objects, maps, sets, errors.
 */

type View = ArrayBufferView & { readonly buffer: ArrayBuffer };

/** `message`, every view inside it changed in place for a copy on an `ArrayBuffer` of exactly its bytes. */
export function ownBuffers<T>(message: T): T {
  if (typeof message !== 'object' || message === null) return message;
  // First without keeping a set of what was seen (its cost was most of the walk's); a cycle
  // or a value shared very many times shows as too deep or too long a walk, and the walk
  // starts over keeping one. Starting over is safe: a view already copied is left alone,
  // and both walks share the copies, so a view met twice still becomes one copy.
  const copies = new Map<View, View>();
  try {
    return new Walk(copies, false).own(message) as T;
  } catch (error) {
    if (error !== START_OVER) throw error;
    return new Walk(copies, true).own(message) as T;
  }
}

/** Bounds on a walk that keeps no set of what it saw. */
const QUICK_MAX_DEPTH = 256;
const QUICK_MAX_VISITS = 1_000_000;
const START_OVER = Symbol('start over');

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

class Walk {
  readonly #copies: Map<View, View>;
  /** Containers entered, against cycles; only when `tracked`, and only those holding objects. */
  readonly #seen: Set<object> | undefined;
  #depth = 0;
  #visits = 0;

  constructor(copies: Map<View, View>, tracked: boolean) {
    this.#copies = copies;
    if (tracked) this.#seen = new Set();
  }

  /** `value` with the views inside it replaced; for a view, its copy. */
  own(value: object): object {
    if (!this.#seen && (++this.#depth > QUICK_MAX_DEPTH || ++this.#visits > QUICK_MAX_VISITS))
      throw START_OVER;
    const owned = this.#own(value);
    this.#depth--;
    return owned;
  }

  #own(value: object): object {
    if (ArrayBuffer.isView(value)) return this.#copy(value as View);
    if (Array.isArray(value)) {
      let entered = false;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (!isObject(item)) continue;
        if (!entered && this.#entered(value)) return value;
        entered = true;
        const owned = this.own(item);
        if (owned !== item) value[i] = owned;
      }
      return value;
    }
    if (value instanceof Map) return this.#ownMap(value);
    if (value instanceof Set) return this.#ownSet(value);
    const record = value as Record<string, unknown>;
    let entered = false;
    for (const key in record) {
      const item = record[key];
      if (!isObject(item) || !Object.hasOwn(record, key)) continue;
      if (!entered && this.#entered(value)) return value;
      entered = true;
      const owned = this.own(item);
      if (owned !== item) record[key] = owned;
    }
    // V8 keeps an error's `cause`, which is not enumerable.
    if (value instanceof Error && isObject(value.cause)) {
      if (!entered && this.#entered(value)) return value;
      value.cause = this.own(value.cause);
    }
    return value;
  }

  #ownMap(map: Map<unknown, unknown>): object {
    if (this.#entered(map)) return map;
    let viewKeys = false;
    for (const [key, item] of map) {
      if (isObject(item)) {
        const owned = this.own(item);
        if (owned !== item) map.set(key, owned);
      }
      if (isObject(key) && this.own(key) !== key) viewKeys = true;
    }
    if (viewKeys) {
      // A key cannot be replaced in place: rebuild the map in its order.
      const entries = [...map];
      map.clear();
      for (const [key, item] of entries) map.set(isObject(key) ? this.own(key) : key, item);
    }
    return map;
  }

  #ownSet(set: Set<unknown>): object {
    if (this.#entered(set)) return set;
    let views = false;
    for (const item of set) if (isObject(item) && this.own(item) !== item) views = true;
    if (views) {
      const items = [...set];
      set.clear();
      for (const item of items) set.add(isObject(item) ? this.own(item) : item);
    }
    return set;
  }

  /** Whether `container` was entered before (never known without `#seen`); it is from now on. */
  #entered(container: object): boolean {
    if (!this.#seen) return false;
    if (this.#seen.has(container)) return true;
    this.#seen.add(container);
    return false;
  }

  #copy(view: View): View {
    if (view.byteOffset === 0 && view.buffer.byteLength === view.byteLength) return view;
    let copy = this.#copies.get(view);
    if (!copy) {
      copy = copyOf(view);
      this.#copies.set(view, copy);
    }
    return copy;
  }
}

/** `view` on a new `ArrayBuffer` of exactly its bytes, of the same class (a `Buffer` stays one). */
function copyOf(view: View): View {
  const own = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
  if (Buffer.isBuffer(view)) return Buffer.from(own);
  if (view instanceof DataView) return new DataView(own);
  return new (view.constructor as new (buffer: ArrayBuffer) => View)(own);
}

/**
 * The set of input indices already in the output, one bit each: ten million done
 * indices cost 1.25 MB, where a `Set<number>` would cost hundreds. The bits live in pages
 * made when an index first falls in them, so an index far beyond the others (a stray
 * `"index": 2000000000`) costs one page, not a bit array reaching up to it; and no index is
 * ever narrowed to 32 bits, where 2^32 would alias 0.
 */

/** Indices per page: 1 KiB of bits. */
const PAGE_BITS = 8192;

/** An input index: an integer from 0 to `Number.MAX_SAFE_INTEGER`. */
export function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

export class IndexSet {
  readonly #pages = new Map<number, Uint8Array>();
  #size = 0;

  /** How many distinct indices were added. */
  get size(): number {
    return this.#size;
  }

  /** False for anything that is not an index, as no index can equal it. */
  has(index: number): boolean {
    if (!isIndex(index)) return false;
    const page = this.#pages.get(Math.floor(index / PAGE_BITS));
    const bit = index % PAGE_BITS;
    return page !== undefined && (page[bit >>> 3]! & (1 << (bit & 7))) !== 0;
  }

  /** Adds `index`; returns false when it was already there. Throws a RangeError for a non-index. */
  add(index: number): boolean {
    if (!isIndex(index)) {
      throw new RangeError(
        `IndexSet holds integers from 0 to ${Number.MAX_SAFE_INTEGER}, got ${String(index)}`,
      );
    }
    const key = Math.floor(index / PAGE_BITS);
    let page = this.#pages.get(key);
    if (page === undefined) {
      page = new Uint8Array(PAGE_BITS / 8);
      this.#pages.set(key, page);
    }
    const bit = index % PAGE_BITS;
    const mask = 1 << (bit & 7);
    if (page[bit >>> 3]! & mask) return false;
    page[bit >>> 3] = page[bit >>> 3]! | mask;
    this.#size++;
    return true;
  }
}

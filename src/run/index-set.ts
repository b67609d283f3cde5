/**
 * The set of input indices already in the output, one bit each: ten million done
 * indices cost 1.25 MB, where a `Set<number>` would cost hundreds.
 */
export class IndexSet {
  #bits = new Uint8Array(1024);
  #size = 0;

  /** How many distinct indices were added. */
  get size(): number {
    return this.#size;
  }

  has(index: number): boolean {
    const byte = index >>> 3;
    return byte < this.#bits.length && (this.#bits[byte]! & (1 << (index & 7))) !== 0;
  }

  /** Adds `index`; returns false when it was already there. */
  add(index: number): boolean {
    const byte = index >>> 3;
    if (byte >= this.#bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.#bits.length * 2));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    const bit = 1 << (index & 7);
    if (this.#bits[byte]! & bit) return false;
    this.#bits[byte] = this.#bits[byte]! | bit;
    this.#size++;
    return true;
  }
}

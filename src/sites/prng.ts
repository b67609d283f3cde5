/**
 * Small, fast, seeded pseudo-random number generators for deterministic test data.
 *
 * Not cryptographically secure: use only where reproducibility matters more than
 * unpredictability.
 *
 * @module
 */

/** A function returning a pseudo-random float in `[0, 1)` on each call. */
export type Prng = () => number;

/**
 * Creates a mulberry32 generator: 32-bit state, full 2^32 period, good enough
 * statistical quality for jitter and filler bytes.
 *
 * @param seed - Any number; only its low 32 bits are used.
 * @returns A generator yielding floats in `[0, 1)`; the same seed always yields
 *   the same sequence.
 */
export function mulberry32(seed: number): Prng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Derives an independent 32-bit seed for stream `index` from a base `seed`, so
 * that related streams (e.g. one per site) do not share a sequence.
 *
 * @param seed - Base seed; only its low 32 bits are used.
 * @param index - Stream index; only its low 32 bits are used.
 * @returns An unsigned 32-bit integer.
 */
export function deriveSeed(seed: number, index: number): number {
  // splitmix32-style finalizer: nearby (seed, index) pairs map to unrelated seeds.
  let h = (seed ^ Math.imul((index + 1) >>> 0, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

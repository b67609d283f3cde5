/**
 * A task in a module that takes long to import, as one that loads a large library or builds
 * its tables at import does: 0.2 s of arithmetic, paid by each thread that loads it — once
 * by the calling thread or by each worker, twice over by `auto` when it moves the work (the
 * calling thread loaded it to run the first tasks).
 */

/** Iterations of the arithmetic below in about a millisecond on the 2-CPU development machine. */
const ITERATIONS_PER_MS = 700_000;

/** A lookup table built at import: 0.2 s of arithmetic. */
const TABLE = new Int32Array(4096);
{
  let x = 1;
  const perEntry = (200 * ITERATIONS_PER_MS) / TABLE.length;
  for (let entry = 0; entry < TABLE.length; entry++) {
    for (let i = 0; i < perEntry; i++) x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    TABLE[entry] = x;
  }
}

/** Iterations of the arithmetic in {@link slowImport}: about 0.4 ms. */
const ITERATIONS = ITERATIONS_PER_MS / 2;

/** About 0.4 ms of arithmetic over the table; returns `n`. */
export function slowImport({ n }) {
  let x = n | 0;
  for (let i = 0; i < ITERATIONS; i++) x = (Math.imul(x, 1_103_515_245) + TABLE[i & 4095]) | 0;
  return x === 0.5 ? -1 : n;
}

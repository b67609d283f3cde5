/**
 * How a `map` on worker threads or processes groups its inputs into messages: one message
 * costs about the same whatever it carries, so tiny inputs go many to a message — but a
 * worker runs a chunk's inputs one after another, through their waits, so an input that
 * takes long from start to end goes alone. The pools size their chunks by this, and `auto`
 * predicts with it what sending a task to them would cost.
 */

/** ms of a worker's time (start to end of its inputs, waits included) one chunk carries. */
export const CHUNK_MS = 2;

/** Inputs per chunk for inputs that take `inputMs` each on a worker: at least 1, at most `most`. */
export function inputsPerChunk(inputMs: number, most = Number.POSITIVE_INFINITY): number {
  return Math.max(1, Math.min(most, Math.floor(CHUNK_MS / Math.max(inputMs, 1e-6))));
}

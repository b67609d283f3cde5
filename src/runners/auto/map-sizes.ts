/**
 * How a `map` under `auto` is fed: how many of its inputs go in one chunk on the calling
 * thread, and how many it reads ahead of those settled.
 */
import { chunksOnThread } from './handover.js';
import type { WindowSummary } from './measures.js';
import type { Level } from './moves.js';
import { AUTO_MAP_WINDOW, IN_THREAD_CHUNK_MS } from './settings.js';

/** Most inputs in one chunk of tiny tasks on the calling thread: a map's window holds several. */
export const MAX_IN_THREAD_CHUNK = AUTO_MAP_WINDOW / 8;

/** Fewest inputs a `map` holds, whatever the level. */
export const MIN_READ_AHEAD = 16;

/**
 * Inputs per chunk on the calling thread, after `last`, its last window there: about
 * {@link IN_THREAD_CHUNK_MS} of tiny tasks that compute in their call — a chunk of tasks
 * that await would put its whole length in flight at once — and one when a `timeout` is
 * set, which is per task.
 */
export function inThreadChunk(
  last: WindowSummary | undefined,
  timeout: number | undefined,
): number {
  if (timeout !== undefined || !last || !chunksOnThread(last)) return 1;
  const inputs = Math.floor(IN_THREAD_CHUNK_MS / Math.max(last.heldPerTaskMs, 1e-4));
  return Math.min(MAX_IN_THREAD_CHUNK, Math.max(1, inputs));
}

/**
 * Inputs a `map` should have begun and not yet settled at level `at`, with `workers`
 * worker threads, in chunks of `chunk`, within its `mapWindow`: what the level keeps in
 * flight (the workers' level counts one more each: the next task at hand) — on the calling
 * thread, as many chunks as its level, though it counts each of their inputs: chunks of
 * tasks that compute in their call end within it, one after another, and the rest wait at
 * hand; chunks of tasks that await wait at the gate for the level to make room. Those done
 * and waiting for the consumer — behind a slow one, in an ordered map — are bounded by the
 * map's window alone. Each input read is begun at once, so any more would wait at
 * the gate as runs begun — a promise, its callbacks and a cancellation listener each,
 * kept alive through the garbage collections while they wait; at tens of thousands of
 * short waits a second, reading twice the level ahead cost the calling thread about 15%
 * more CPU per task. A level that rises is read up to as the next input settles.
 */
export function readAheadAt(at: Level, workers: number, chunk: number, mapWindow: number): number {
  const runs = at.route === 'loop' ? at.level : (at.level + 1) * workers;
  return Math.min(mapWindow, Math.max(MIN_READ_AHEAD, runs * chunk));
}

/**
 * Scripted windows for the control law's tests: what `Law.next` is given, with the
 * setting it is judged in (2 workers, a `map`'s chunked send cost).
 */
import { sendMs } from '../../../src/runners/auto/handover.js';
import type { Law } from '../../../src/runners/auto/law.js';
import type { WindowSummary } from '../../../src/runners/auto/measures.js';
import { CHUNK_DISPATCH_MS, MAX_LIMIT } from '../../../src/runners/auto/settings.js';

/** What the law knows of its setting in these tests: 2 workers, a `map`'s chunked send cost. */
export const context = {
  workers: 2,
  cpus: 2,
  threadsUnavailable: undefined,
  maxLoop: MAX_LIMIT,
  maxPerWorker: 64,
  dispatchMs: () => CHUNK_DISPATCH_MS,
  chunkable: () => false,
};

/** A saturated thread whose tasks compute 4 ms in their call and wait for nothing. */
export const computing = { busyShare: 1, cpuPerTaskMs: 4, fastestMs: 4.2, callShare: 0.95 };
/** A `map`'s send cost, as `auto` counts it. */
export const mapContext = { ...context, dispatchMs: (m: WindowSummary) => sendMs(m, true) };
export const window = (w: Partial<WindowSummary>): WindowSummary => ({
  completions: 64,
  failures: 0,
  spanMs: 50,
  throughput: 1_000,
  latencyMs: 20,
  fastestMs: 20,
  inFlight: 64,
  busyShare: 0.1,
  contention: 0,
  cpuPerTaskMs: 0.05,
  othersBusy: 0,
  callShare: 0,
  inputsPerRun: 1,
  // Held by its tasks all the time it was neither idle nor waiting, unless a test says otherwise.
  heldShare: 1,
  ...w,
  // Steady unless a test says otherwise: the later half as busy as the whole window.
  recentBusyShare: w.recentBusyShare ?? w.busyShare ?? 0.1,
  // Blocked in no synchronous call unless a test says otherwise: held only for its CPU.
  heldPerTaskMs: w.heldPerTaskMs ?? w.cpuPerTaskMs ?? 0.05,
});

/**
 * The law's answer to `w` once it has decided, within the three windows a trial of the
 * threads takes (the first pays for the workers' start).
 */
export const judged = (law: Law, w: WindowSummary) => {
  let move: ReturnType<Law['next']>;
  for (let i = 0; i < 3 && !move; i++) move = law.next(w);
  return move;
};

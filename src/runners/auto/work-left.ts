/**
 * Whether the work left pays for moving it to worker threads. Starting them takes a while —
 * a new isolate each, the task's module imported again — while the calling thread goes on
 * with the tasks, slowed where it and the starting workers outnumber the CPUs. A job that
 * would be done here before then, or not long after, only loses what the start took from
 * this thread: 700 tasks of 0.15 ms are done in about 100 ms, sooner than two workers that
 * import a module of 0.1 s can start.
 */
import type { LawContext, Measured } from './moves.js';

/** Work left too little to pay for a move to worker threads: the facts of the reason. */
export interface TooLittleLeft {
  /** Inputs left to finish. */
  readonly remaining: number;
  /** ms the calling thread would take over them alone. */
  readonly hereMs: number;
  /** ms until the workers could take them (see {@link LawContext.msToWorkers}). */
  readonly startMs: number;
}

/**
 * The work left, when the calling thread at `at`'s throughput would be done with it no
 * later than by handing it to worker threads that finish `predictedGain` times as many once
 * started; `undefined` when the move pays, or more work may come.
 */
export function tooLittleLeft(
  at: Measured,
  predictedGain: number,
  context: LawContext,
): TooLittleLeft | undefined {
  const remaining = context.remaining?.();
  const perMs = at.throughput / 1000;
  if (remaining === undefined || perMs <= 0) return undefined;
  const hereMs = remaining / perMs;
  const startMs = context.msToWorkers?.() ?? 0;
  // While the workers start, this thread and each of them get an equal share of the CPUs.
  const share = Math.min(1, context.cpus / (context.workers + 1));
  const doneMeanwhile = startMs * perMs * share;
  const movedMs =
    doneMeanwhile >= remaining
      ? remaining / (perMs * share)
      : startMs + (remaining - doneMeanwhile) / (predictedGain * perMs);
  return movedMs < hereMs ? undefined : { remaining, hereMs, startMs };
}

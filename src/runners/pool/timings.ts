/**
 * What a pool measures of its jobs: how long they waited and ran (the latest ones, kept in
 * fixed rings so memory stays flat however many run; percentiles are computed only when
 * stats are asked for), and the average job time that decides how far ahead short jobs
 * are sent to a busy worker.
 */
import type { Percentiles } from '../../core/types.js';
import type { PoolTask } from './job.js';

/** Short jobs are sent ahead to a busy worker until it holds about this much work… */
const PIPELINE_MS = 2;
/** …but never more than this many jobs ahead. */
const MAX_AHEAD = 2048;

export class Timings {
  readonly #runs = new Samples();
  readonly #waits = new Samples();
  /** Average ms per job, measured; `undefined` until the first job finishes. */
  #jobMs: number | undefined;

  /** A job left the line after waiting since `queuedAt`. */
  waited(queuedAt: number): void {
    this.#waits.add(performance.now() - queuedAt);
  }

  /** A job of `inputs` inputs of `task` ran for `ms`. */
  ran(task: PoolTask, inputs: number, ms: number): void {
    this.#runs.add(ms / inputs);
    this.#jobMs = average(this.#jobMs, ms);
    task.inputMs = average(task.inputMs, ms / inputs);
  }

  /** How many jobs may wait inside a busy worker: enough to cover about {@link PIPELINE_MS}. */
  ahead(): number {
    const ms = this.#jobMs;
    if (ms === undefined) return 0;
    return Math.min(MAX_AHEAD, Math.floor(PIPELINE_MS / Math.max(ms, 1e-6)));
  }

  percentiles(): { runTime: Percentiles; waitTime: Percentiles } {
    return { runTime: this.#runs.percentiles(), waitTime: this.#waits.percentiles() };
  }
}

/** The latest timings, in a fixed ring. */
class Samples {
  readonly #ring: Float64Array;
  #count = 0;

  constructor(capacity = 1024) {
    this.#ring = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.#ring[this.#count++ % this.#ring.length] = ms;
  }

  percentiles(): Percentiles {
    const n = Math.min(this.#count, this.#ring.length);
    if (n === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
    const sorted = this.#ring.slice(0, n).sort();
    const at = (q: number) => sorted[Math.min(n - 1, Math.floor(q * n))]!;
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[n - 1]! };
  }
}

/** An exponentially weighted moving average: recent jobs count most, one outlier little. */
function average(previous: number | undefined, sample: number): number {
  return previous === undefined ? sample : previous * 0.8 + sample * 0.2;
}

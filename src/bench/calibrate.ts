/**
 * Sizing the CPU job for this machine. The classic sizes (n = 5,000,000 + x) take about a
 * tenth of a second on a current core, where pool start-up and scheduler jitter decide who
 * wins. So a short calibration times the job's own function on the calling thread, as
 * `sync` will run it, and picks the factor that makes `sync` take about two seconds.
 *
 * @module
 */
import { formatMs } from './format.js';
import { sumOfSquares } from './jobs/cpu.js';
import { median } from './stats.js';

/** The classic sizes: n = 5,000,000 + x for x in 0..19, each multiplied by the scale. */
export const CPU_BASE_N = 5_000_000;
export const CPU_TASKS = 20;

/** How long `sync` should take on the CPU job: long enough that start-up and jitter are small beside it. */
export const TARGET_SYNC_MS = 2_000;
/** Probes timed; their median stands for one n of 5,000,000. */
const PROBES = 5;
/** Smallest scale calibration picks: a very slow machine still runs a job worth comparing. */
const MIN_SCALE = 0.1;

/** The job's n for each x at `scale`. */
export function cpuInputs(scale: number): number[] {
  return Array.from({ length: CPU_TASKS }, (_, x) => Math.round((CPU_BASE_N + x) * scale));
}

/** The chosen scale and why. */
export interface Calibration {
  readonly scale: number;
  /** Median ms of one `sumOfSquares(5,000,000)` on the calling thread. */
  readonly probeMs: number;
  /** Why this scale, in words. */
  readonly reason: string;
}

/** Times `sumOfSquares(n)` on the calling thread, in ms. */
export type Probe = (n: number) => number;

const timeOnThisThread: Probe = (n) => {
  const started = performance.now();
  sumOfSquares(n);
  return performance.now() - started;
};

/**
 * Picks the scale at which `sync` takes about {@link TARGET_SYNC_MS}: one untimed probe
 * (the JIT compiles the loop), then the median of {@link PROBES} timed ones, extrapolated —
 * the work grows linearly with n.
 *
 * @param maxScale - the largest scale the job accepts
 * @param probe - how to time one n; tests pass a fake clock
 */
export function calibrateScale(maxScale: number, probe: Probe = timeOnThisThread): Calibration {
  probe(CPU_BASE_N);
  const probeMs = median(Array.from({ length: PROBES }, () => probe(CPU_BASE_N)));
  const atScaleOne = (probeMs * sum(cpuInputs(1))) / CPU_BASE_N;
  const wanted = TARGET_SYNC_MS / atScaleOne;
  const scale = Math.min(maxScale, Math.max(MIN_SCALE, twoSignificantDigits(wanted)));
  const bound =
    scale === maxScale && wanted > maxScale
      ? `; ×${scale} is the largest that keeps every sum exact`
      : scale === MIN_SCALE && wanted < MIN_SCALE
        ? `; ×${scale} is the smallest the bench uses`
        : '';
  const reason = `calibrated on this machine: n = ${CPU_BASE_N.toLocaleString('en')} took ${formatMs(probeMs)}, so sync should take about ${formatMs(atScaleOne * scale)}${bound}`;
  return { scale, probeMs, reason };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

function twoSignificantDigits(x: number): number {
  return Number(x.toPrecision(2));
}

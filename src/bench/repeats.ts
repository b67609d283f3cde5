/**
 * How many timed runs a mode gets. A fixed count (`--repeat N`), or — by default — as many
 * as it takes for the median to be known within a tolerance: runs go on until the middle
 * half of them lies within ±5% of their median, between a floor and a cap of runs, and
 * within a time budget per mode so that one slow mode cannot hold the bench for minutes.
 *
 * @module
 */
import { formatMs } from './format.js';
import { interquartileRange, median } from './stats.js';

/** Exactly this many runs (`--repeat N`). */
export interface FixedRuns {
  readonly kind: 'fixed';
  readonly runs: number;
}

/** Runs until the median is known within a tolerance, between a floor and a cap, within a budget. */
export interface UntilSettled {
  readonly kind: 'until-settled';
  /** Fewest runs: with five, the interquartile range leaves out the slowest and the fastest run. */
  readonly minRuns: number;
  /** Most runs, settled or not. */
  readonly maxRuns: number;
  /** How close to the median the quartiles must lie: 0.05 is ±5%. */
  readonly tolerance: number;
  /**
   * Milliseconds of timed runs a mode may use: no run starts that would, by the mode's
   * median so far, end past it. So a mode whose runs take over half of it runs once.
   */
  readonly budgetMs: number;
}

/** How many timed runs a mode gets. */
export type RepeatPolicy = FixedRuns | UntilSettled;

/** The default: settle within ±5%, 5 to 15 runs, about 12 s per mode. */
export const UNTIL_SETTLED: UntilSettled = {
  kind: 'until-settled',
  minRuns: 5,
  maxRuns: 15,
  tolerance: 0.05,
  budgetMs: 12_000,
};

/** Whether the middle half of `walls` lies within ±`tolerance` of their median. */
export function settled(walls: readonly number[], tolerance: number): boolean {
  if (walls.length === 0) return false;
  const mid = median(walls);
  const { low, high } = interquartileRange(walls);
  return low >= mid * (1 - tolerance) && high <= mid * (1 + tolerance);
}

/** Whether a mode whose timed runs so far took `walls` ms should run once more. */
export function needsAnotherRun(policy: RepeatPolicy, walls: readonly number[]): boolean {
  const runs = walls.length;
  if (policy.kind === 'fixed') return runs < policy.runs;
  if (runs === 0) return true;
  if (runs >= policy.maxRuns) return false;
  const spent = walls.reduce((sum, ms) => sum + ms, 0);
  if (spent + median(walls) > policy.budgetMs) return false;
  return runs < policy.minRuns || !settled(walls, policy.tolerance);
}

/** The policy in words, for the table's legend and `--help`. */
export function describePolicy(policy: RepeatPolicy): string {
  return policy.kind === 'fixed'
    ? `each mode does exactly ${policy.runs} timed run${policy.runs === 1 ? '' : 's'} (--repeat)`
    : `each mode repeats its timed run until the middle half of its runs lies within ±${Math.round(policy.tolerance * 100)}% of their median: ${policy.minRuns} to ${policy.maxRuns} runs, within about ${formatMs(policy.budgetMs)} per mode, so a mode whose runs take over half of that runs once`;
}

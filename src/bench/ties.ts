/**
 * Who won, and whether the figures can tell. A mode's noise is the interval its timed runs
 * spread over, at least the bench's resolution; two modes whose intervals overlap are a
 * tie, since the runs could have ordered them either way. Among the modes tied with the
 * fastest, the recommendation is the simplest model that got there — fewer moving parts for
 * the same time — unless another mode beat it beyond noise. (The verdict says whether it also used the least CPU.)
 *
 * @module
 */
import type { Mode } from '../core/types.js';
import { interquartileRange, median, type Range } from './stats.js';

/** Simplest first: no concurrency, one thread, threads in one process, processes, machines. `auto` wraps one of them, so it comes last. */
export const SIMPLICITY: readonly Mode[] = [
  'sync',
  'loop',
  'threads',
  'processes',
  'distributed',
  'auto',
];

/** Runs it takes before a mode's own spread says anything about its noise. */
const FEWEST_RUNS_FOR_SPREAD = 3;
/** The noise assumed, either side, for a figure from fewer runs: the precision the bench aims for. */
export const ASSUMED_NOISE = 0.05;
/**
 * The least an interval spans either side of its median. Five runs can bunch within 1% and
 * the next five land 4% away (the machine's state drifts between rounds), so an interval
 * narrower than the precision the repeats aim for would separate modes the bench cannot
 * tell apart: two medians within about 5% of each other are a tie.
 */
export const RESOLUTION = ASSUMED_NOISE / 2;

/** What the tie logic needs to know of one mode that ran and gave right answers. */
export interface Entrant {
  readonly mode: Mode;
  /** Median wall time. */
  readonly wallMs: number;
  /** Where its runs say its true time lies (see {@link noiseInterval}). */
  readonly interval: Range;
}

/** How the modes of one job stand. */
export interface Standing {
  /** The lowest median. */
  readonly fastest: Mode;
  /** The second-lowest median, if another mode ran. */
  readonly runnerUp: Mode | undefined;
  /** The fastest and every mode whose interval overlaps its interval, simplest first; empty when the fastest stands apart. */
  readonly tied: readonly Mode[];
  /** The mode to use: the fastest if it stands apart, else the simplest of the tied that no mode beat beyond noise. */
  readonly recommended: Mode;
}

/**
 * The interval a mode's time lies in, judged by its runs: their interquartile range, or —
 * from fewer than {@link FEWEST_RUNS_FOR_SPREAD} runs, which cannot show their own noise —
 * their range widened by {@link ASSUMED_NOISE} either side; never narrower than
 * {@link RESOLUTION} either side of the median.
 */
export function noiseInterval(walls: readonly number[]): Range {
  const spread =
    walls.length >= FEWEST_RUNS_FOR_SPREAD
      ? interquartileRange(walls)
      : {
          low: Math.min(...walls) * (1 - ASSUMED_NOISE),
          high: Math.max(...walls) * (1 + ASSUMED_NOISE),
        };
  const mid = median(walls);
  return {
    low: Math.min(spread.low, mid * (1 - RESOLUTION)),
    high: Math.max(spread.high, mid * (1 + RESOLUTION)),
  };
}

/** Whether two intervals share a point: the runs could have ordered the modes either way. */
export function overlap(a: Range, b: Range): boolean {
  return a.low <= b.high && b.low <= a.high;
}

/** How `entrants` stand; `undefined` when there are none. */
export function standing(entrants: readonly Entrant[]): Standing | undefined {
  const byTime = [...entrants].sort((a, b) => a.wallMs - b.wallMs || bySimplicity(a, b));
  const fastest = byTime[0];
  if (!fastest) return undefined;
  const withFastest = byTime.filter((e) => e === fastest || overlap(e.interval, fastest.interval));
  const tied = withFastest.length > 1 ? [...withFastest].sort(bySimplicity) : [];
  // Overlap is not transitive: two modes may each overlap the fastest and not each other.
  // A mode another one beat beyond noise is not recommended, however simple. The fastest
  // never is: no interval lies wholly below the lowest median.
  const unbeaten = tied.find((e) => !entrants.some((o) => o.interval.high < e.interval.low));
  return {
    fastest: fastest.mode,
    runnerUp: byTime[1]?.mode,
    tied: tied.map((e) => e.mode),
    recommended: (unbeaten ?? fastest).mode,
  };
}

function simplicity(mode: Mode): number {
  return SIMPLICITY.indexOf(mode);
}

function bySimplicity(a: Entrant, b: Entrant): number {
  return simplicity(a.mode) - simplicity(b.mode);
}

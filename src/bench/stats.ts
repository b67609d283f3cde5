/**
 * The few statistics the bench reports: the median of a mode's runs and the spread around
 * it, as the interquartile range (the middle half of the runs), which one stray run — a
 * scheduler hiccup on a shared machine — cannot stretch the way it stretches min–max.
 *
 * @module
 */

/** The `p`-quantile of `values` (0 <= p <= 1), interpolating between the two nearest runs. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('quantile(): no values');
  const sorted = [...values].sort((a, b) => a - b);
  // Linear interpolation between order statistics (R's type 7, numpy's default).
  const at = (sorted.length - 1) * p;
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}

/** The median; the mean of the middle two for an even count. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** A closed range of milliseconds. */
export interface Range {
  readonly low: number;
  readonly high: number;
}

/** The interquartile range: where the middle half of the runs lies. */
export function interquartileRange(values: readonly number[]): Range {
  return { low: quantile(values, 0.25), high: quantile(values, 0.75) };
}

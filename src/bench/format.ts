/** Number formats shared by the terminal table, the verdicts and the HTML report. */

/** `87 ms`, `1.23 s`, `16.3 s`; `–` for a missing figure. */
export function formatMs(ms: number | null | undefined): string {
  if (ms == null) return '–';
  if (ms === 0) return '0';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return ms < 10_000 ? `${(ms / 1_000).toFixed(2)} s` : `${(ms / 1_000).toFixed(1)} s`;
}

/** `1.92×`, `145×`; `–` for a missing figure. */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio == null) return '–';
  return ratio >= 100 ? `${Math.round(ratio)}×` : `${ratio.toFixed(2)}×`;
}

/** `112–121 ms`, `980 ms–1.02 s`: the unit once when both ends share it. */
export function formatRange(low: number, high: number): string {
  const [a, b] = [formatMs(low), formatMs(high)];
  const unit = (s: string) => s.slice(s.lastIndexOf(' ') + 1);
  return a.includes(' ') && unit(a) === unit(b)
    ? `${a.slice(0, a.lastIndexOf(' '))}–${b}`
    : `${a}–${b}`;
}

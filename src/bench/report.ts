/**
 * `switchyard bench --report FILE.html`: one self-contained page — inline SVG charts, inline
 * CSS, no script and no network fetch — that can be mailed, archived or opened offline.
 *
 * @module
 */
import { formatMs, formatRange, formatRatio } from './format.js';
import { type BenchDocument, isPython, type JobReport, type ModeResult } from './types.js';

const JOB_TITLES = {
  io: 'I/O-bound job: download many sites',
  cpu: 'CPU-bound job: sum of squares',
} as const;

const CHART = { width: 760, label: 130, value: 110, row: 30, top: 30, bottom: 34 } as const;
/** Wall times further apart than this ratio are drawn on a log scale, or the fast bars vanish. */
const LOG_SCALE_SPREAD = 20;

/** The report page for `doc`, as one HTML string. */
export function renderReport(doc: BenchDocument, generatedAt = new Date()): string {
  const m = doc.machine;
  const facts: [string, string][] = [
    ['CPU', m.cpuModel],
    ['cores', `${m.cores} usable of ${m.cpus}`],
    ['Node.js', m.node],
    ...(m.python ? [['Python', m.python] as [string, string]] : []),
    ['platform', `${m.platform}/${m.arch}`],
    ['load average (1 min)', m.loadAverage.toFixed(2)],
    ['timed runs', doc.repeats],
    ['generated', generatedAt.toISOString()],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>switchyard bench</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; color: #1d2433; max-width: 820px; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.6rem; margin-bottom: .2rem; }
  h2 { font-size: 1.2rem; margin-top: 2.2rem; }
  .sub, figcaption, .reason { color: #5b6475; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
  dt { font-weight: 600; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { padding: .25rem .5rem; text-align: right; border-bottom: 1px solid #e3e6ec; }
  th:first-child, td:first-child { text-align: left; }
  .bar { fill: #3b82c4; } .bar.recommended { fill: #2f9e44; } .bar.python { fill: #9c7ac4; } .bar.wrong { fill: #d9480f; }
  .spread { stroke: #1d2433; stroke-width: 1.5; } .run { fill: #1d2433; fill-opacity: .45; }
  .limit { stroke: #c92a2a; stroke-width: 2; stroke-dasharray: 6 4; }
  .axis { stroke: #adb5bd; } svg text { font: 12px system-ui, sans-serif; fill: #1d2433; }
  svg .limit-label { fill: #c92a2a; }
  li { margin: .4rem 0; }
</style>
</head>
<body>
<h1>switchyard bench</h1>
<p class="sub">The classic concurrency experiment, measured on this machine: the same jobs under every concurrency model.</p>
<dl>${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
${doc.jobs.map(jobSection).join('\n')}
${doc.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}
</body>
</html>
`;
}

function jobSection(job: JobReport): string {
  const rows = job.results
    .map((r) =>
      r.wallMs === null
        ? `<tr><td>${r.mode}</td><td colspan="8" class="reason">${escapeHtml(r.reason ?? 'no figures')}</td></tr>`
        : `<tr><td>${r.mode}</td><td>${formatMs(r.wallMs)}</td><td>${r.spreadMs && r.runs.length > 1 ? formatRange(r.spreadMs.low, r.spreadMs.high) : '–'}</td><td>${r.runs.length}</td><td>${formatMs(r.startupMs)}</td><td>${formatMs(r.cpuMs)}</td><td>${formatRatio(r.speedup)}</td><td>${formatRatio(r.limitRatio)}</td><td>${r.verified ? 'yes' : 'NO'}</td></tr>`,
    )
    .join('');
  return `<section class="job" id="job-${job.job}">
<h2>${JOB_TITLES[job.job]}</h2>
<p class="sub">${escapeHtml(job.workload)}. ${escapeHtml(job.setup)}. Physical limit: ${escapeHtml(job.limitRule)} = ${formatMs(job.limitMs)}.</p>
${chart(job)}
<table><thead><tr><th>mode</th><th>wall (median)</th><th>middle half</th><th>runs</th><th>start-up</th><th>CPU</th><th>speedup</th><th>vs limit</th><th>verified</th></tr></thead><tbody>${rows}</tbody></table>
<ul class="verdicts">${job.verdicts.map((v) => `<li>${escapeHtml(v)}</li>`).join('')}</ul>
</section>`;
}

/**
 * Horizontal bars of median wall time per row, a whisker over the middle half of the runs,
 * a dot for each run, and the physical limit as a dashed line.
 */
function chart(job: JobReport): string {
  const ran = job.results.filter((r): r is ModeResult & { wallMs: number } => r.wallMs !== null);
  const times = ran.flatMap((r) => r.runs.map((run) => run.wallMs));
  const values = [...times, ...ran.map((r) => r.wallMs), ...(job.limitMs ? [job.limitMs] : [])];
  const plotWidth = CHART.width - CHART.label - CHART.value;
  const height = CHART.top + Math.max(ran.length, 1) * CHART.row + CHART.bottom;
  const scale = axis(
    Math.min(...values, Number.POSITIVE_INFINITY),
    Math.max(...values, 1),
    plotWidth,
  );
  const x = (ms: number) => (CHART.label + scale.x(ms)).toFixed(1);
  const bars = ran.map((r, i) => {
    const y = CHART.top + i * CHART.row;
    const mid = y + CHART.row / 2;
    const kind = !r.verified
      ? 'wrong'
      : r.mode === job.recommended
        ? 'recommended'
        : isPython(r.mode)
          ? 'python'
          : '';
    const spread = r.spreadMs
      ? `<line class="spread" x1="${x(r.spreadMs.low)}" x2="${x(r.spreadMs.high)}" y1="${mid}" y2="${mid}"/>${[r.spreadMs.low, r.spreadMs.high].map((end) => `<line class="spread" x1="${x(end)}" x2="${x(end)}" y1="${mid - 6}" y2="${mid + 6}"/>`).join('')}<title>${r.mode}: middle half ${formatRange(r.spreadMs.low, r.spreadMs.high)}</title>`
      : '';
    const dots = r.runs
      .map((run) => `<circle class="run" cx="${x(run.wallMs)}" cy="${mid}" r="2"/>`)
      .join('');
    // The label goes past whatever is drawn on the row: bar, whisker and the slowest run.
    const end = scale.x(
      Math.max(r.wallMs, r.spreadMs?.high ?? 0, ...r.runs.map((run) => run.wallMs)),
    );
    return `<text x="${CHART.label - 8}" y="${y + 19}" text-anchor="end">${r.mode}</text><rect class="bar ${kind}" x="${CHART.label}" y="${y + 5}" width="${Math.max(1, scale.x(r.wallMs)).toFixed(1)}" height="${CHART.row - 10}"><title>${r.mode}: ${formatMs(r.wallMs)} (median of ${r.runs.length})</title></rect><g class="whisker">${spread}${dots}</g><text x="${(CHART.label + end + 8).toFixed(1)}" y="${y + 19}">${formatMs(r.wallMs)}</text>`;
  });
  const plotBottom = height - CHART.bottom;
  const ticks = scale.ticks.map(
    (t) =>
      `<line class="axis" x1="${x(t)}" x2="${x(t)}" y1="${plotBottom}" y2="${plotBottom + 5}"/><text x="${x(t)}" y="${plotBottom + 18}" text-anchor="middle">${formatMs(t)}</text>`,
  );
  const limit = !job.limitMs
    ? ''
    : `<line class="limit" x1="${x(job.limitMs)}" x2="${x(job.limitMs)}" y1="${CHART.top - 8}" y2="${plotBottom}"/><text class="limit-label" x="${(CHART.label + scale.x(job.limitMs) + 4).toFixed(1)}" y="${CHART.top - 12}">limit ${formatMs(job.limitMs)}</text>`;
  const caption = `Median wall time per row (shorter is better${scale.log ? ', log scale' : ''}); the whisker spans the middle half of the runs, a dot marks each run; the dashed line is the physical limit.`;
  return `<figure class="chart" data-job="${job.job}">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART.width} ${height}" width="100%" role="img" aria-label="${escapeHtml(`${JOB_TITLES[job.job]}: wall time per mode`)}">
<line class="axis" x1="${CHART.label}" x2="${CHART.label + plotWidth}" y1="${plotBottom}" y2="${plotBottom}"/>
${ticks.join('')}${bars.join('')}${limit}
</svg>
<figcaption>${caption}</figcaption>
</figure>`;
}

interface Axis {
  readonly log: boolean;
  readonly ticks: readonly number[];
  x(ms: number): number;
}

function axis(min: number, max: number, width: number): Axis {
  if (max / Math.max(min, 1e-9) > LOG_SCALE_SPREAD) {
    const lo = 10 ** Math.floor(Math.log10(Math.max(min, 0.1)));
    const hi = 10 ** Math.ceil(Math.log10(max));
    const ticks: number[] = [];
    for (let t = lo; t <= hi; t *= 10) ticks.push(t);
    return { log: true, ticks, x: (ms) => (Math.log10(ms / lo) / Math.log10(hi / lo)) * width };
  }
  const step = niceStep(max / 4);
  const top = Math.ceil(max / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  return { log: false, ticks, x: (ms) => (ms / top) * width };
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((k) => k * power).find((s) => s >= raw) ?? 10 * power;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

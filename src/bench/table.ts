/**
 * The terminal rendering of a bench document: per job a table with a bar per row and the
 * job's verdicts, then what applies to the whole run. Colour only where the caller allows
 * it (a TTY without `NO_COLOR`).
 *
 * @module
 */
import { formatMs, formatRange, formatRatio } from './format.js';
import { type BenchDocument, isPython, type JobReport, type ModeResult } from './types.js';

const JOB_TITLES = { io: 'I/O-bound job', cpu: 'CPU-bound job' } as const;
const BAR_WIDTH = 30;

/** ANSI styling that collapses to plain text when colour is off. */
interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  good(s: string): string;
  bad(s: string): string;
}

function paint(color: boolean): Paint {
  const wrap = (open: number, close: number) => (s: string) =>
    color ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return { bold: wrap(1, 22), dim: wrap(2, 22), good: wrap(32, 39), bad: wrap(31, 39) };
}

/** Whether to colour output on `stream`: only a terminal, and never when `NO_COLOR` is set. */
export function wantsColor(stream: { isTTY?: boolean }, env = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/** The whole document as text: per job a table and its verdicts, then how to read them. */
export function renderTables(doc: BenchDocument, { color = false } = {}): string {
  const p = paint(color);
  const m = doc.machine;
  const head = p.dim(
    [
      m.cpuModel,
      `${m.cores} usable cores of ${m.cpus}`,
      `Node ${m.node}`,
      ...(m.python ? [m.python] : []),
      `${m.platform}/${m.arch}`,
      `load ${m.loadAverage.toFixed(2)}`,
    ].join(' · '),
  );
  const python = doc.jobs.some((j) => j.results.some((r) => isPython(r.mode)));
  const legend = p.dim(
    `Timed runs: ${doc.repeats}.\nwall: their median; middle half: where the middle half of them lies; with start-up: wall plus what starting the mode cost; CPU: median CPU time of the bench and its child processes, the sites server excepted; speedup: against sync${python ? ' (for Python rows, against python sync)' : ''}.`,
  );
  const notes = doc.notes.map((n) => `${n}\n`).join('');
  return `${head}\n\n${doc.jobs.map((job) => renderJob(job, p)).join('\n\n')}\n\n${legend}\n${notes}`;
}

function renderJob(job: JobReport, p: Paint): string {
  const title = `${p.bold(JOB_TITLES[job.job])} — ${job.workload}`;
  const limit = `physical limit: ${job.limitRule} = ${formatMs(job.limitMs)}`;
  const header = [
    'mode',
    'wall',
    'middle half',
    'runs',
    'with start-up',
    'CPU',
    'speedup',
    'vs limit',
    'ok',
  ];
  const ran = job.results.filter((r) => r.wallMs !== null);
  const slowest = Math.max(...ran.map((r) => r.wallMs!), 0);
  const rows = job.results.map((r) => (r.wallMs === null ? [r.mode] : cells(r)));
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (row: readonly string[]): string =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const body = job.results.map((r, i) => {
    if (r.wallMs === null)
      return `${rows[i]![0]!.padEnd(widths[0]!)}  ${p.dim(r.reason ?? 'no figures')}`;
    const text = line(rows[i]!);
    const bar = '█'.repeat(Math.max(1, Math.round((r.wallMs / slowest) * BAR_WIDTH)));
    const styled = !r.verified ? p.bad(text) : r.mode === job.recommended ? p.good(text) : text;
    return `${styled}  ${r.verified ? bar : p.bad(bar)}`;
  });
  const unsettled = job.results.filter((r) => r.runs.length >= 3 && !r.settled).map((r) => r.mode);
  const footnote =
    unsettled.length > 0
      ? [
          p.dim(
            `still spread wider than the tolerance when their runs stopped (at the cap or the time budget): ${unsettled.join(', ')}`,
          ),
        ]
      : [];
  const verdicts = [p.bold('Verdict'), ...job.verdicts.map((v) => `  • ${v}`)];
  return [
    title,
    p.dim(job.setup),
    p.dim(limit),
    p.bold(line(header)),
    ...body,
    ...footnote,
    '',
    ...verdicts,
  ].join('\n');
}

function cells(r: ModeResult): string[] {
  return [
    r.mode,
    formatMs(r.wallMs),
    r.spreadMs && r.runs.length > 1 ? formatRange(r.spreadMs.low, r.spreadMs.high) : '–',
    String(r.runs.length),
    formatMs(r.wallMs! + (r.startupMs ?? 0)),
    formatMs(r.cpuMs),
    formatRatio(r.speedup),
    formatRatio(r.limitRatio),
    r.verified ? 'yes' : 'NO',
  ];
}

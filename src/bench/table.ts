/**
 * The terminal rendering of a bench document: per job a table with a bar per mode, then the
 * verdicts. Colour only where the caller allows it (a TTY without `NO_COLOR`).
 *
 * @module
 */
import { formatMs, formatRatio } from './format.js';
import type { BenchDocument, JobReport, ModeResult } from './types.js';

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

/** The whole document as text: one table per job, then the verdicts. */
export function renderTables(doc: BenchDocument, { color = false } = {}): string {
  const p = paint(color);
  const m = doc.machine;
  const head = p.dim(
    `${m.cpuModel} · ${m.cores} usable cores of ${m.cpus} · Node ${m.node} · ${m.platform}/${m.arch} · load ${m.loadAverage.toFixed(2)}`,
  );
  const verdicts = doc.verdicts.map((v) => `  • ${v}`).join('\n');
  return `${head}\n\n${doc.jobs.map((job) => renderJob(job, p)).join('\n\n')}\n\n${p.bold('Verdict')}\n${verdicts}\n`;
}

function renderJob(job: JobReport, p: Paint): string {
  const title = `${p.bold(JOB_TITLES[job.job])} — ${job.workload}`;
  const limit = `physical limit: ${job.limitRule} = ${formatMs(job.limitMs)}`;
  const header = ['mode', 'wall', 'with start-up', 'CPU', 'speedup', 'vs limit', 'ok'];
  const ran = job.results.filter((r) => r.wallMs !== null);
  const slowest = Math.max(...ran.map((r) => r.wallMs!), 0);
  const fastest = Math.min(...ran.filter((r) => r.verified).map((r) => r.wallMs!));
  const rows = job.results.map((r) => (r.wallMs === null ? [r.mode] : cells(r)));
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (row: readonly string[]): string =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const body = job.results.map((r, i) => {
    if (r.wallMs === null)
      return `${line([rows[i]![0]!]).trimEnd().padEnd(widths[0]!)}  ${p.dim(r.reason ?? 'no figures')}`;
    const text = line(rows[i]!);
    const bar = '█'.repeat(Math.max(1, Math.round((r.wallMs / slowest) * BAR_WIDTH)));
    const styled = !r.verified ? p.bad(text) : r.wallMs === fastest ? p.good(text) : text;
    return `${styled}  ${r.verified ? bar : p.bad(bar)}`;
  });
  return [title, p.dim(limit), p.bold(line(header)), ...body].join('\n');
}

function cells(r: ModeResult): string[] {
  return [
    r.mode,
    formatMs(r.wallMs),
    formatMs(r.wallMs! + (r.startupMs ?? 0)),
    formatMs(r.cpuMs),
    formatRatio(r.speedup),
    formatRatio(r.limitRatio),
    r.verified ? 'yes' : 'NO',
  ];
}

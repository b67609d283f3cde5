/**
 * One sentence per job that sets the classic Python programs beside switchyard's modes, on
 * the same inputs and this machine: where the two runtimes agree (the I/O lesson) and where
 * they part (the GIL on the CPU job).
 *
 * @module
 */
import { formatMs, formatRatio } from './format.js';
import { noiseInterval, overlap } from './ties.js';
import { isPython, type ModeResult } from './types.js';
import type { JobFigures, Ran } from './verdicts.js';

type Rows = (mode: ModeResult['mode']) => Ran | undefined;

/** The contrast, or nothing when no Python row has figures. */
export function pythonContrast(job: JobFigures, node: readonly Ran[]): string[] {
  const python = job.results.filter(
    (r): r is Ran => isPython(r.mode) && r.wallMs !== null && r.cpuMs !== null && r.verified,
  );
  if (python.length === 0) return [];
  const row: Rows = (mode) =>
    python.find((r) => r.mode === mode) ?? node.find((r) => r.mode === mode);
  const parts = job.job === 'cpu' ? cpuParts(row) : ioParts(job, row);
  return parts.length > 0
    ? [`Python on the same ${job.job === 'cpu' ? 'inputs' : 'server'}: ${parts.join('; ')}.`]
    : [];
}

/**
 * The CPU job, told by how many cores each row kept busy (its CPU time over its wall time):
 * the GIL holds Python's threads to one core whatever the machine, while its processes and
 * Node's threads can use every core that is free.
 */
function cpuParts(row: Rows): string[] {
  const [pySync, pyThreads, pyProcesses] = [
    'python sync',
    'python threads',
    'python processes',
  ].map((m) => row(m as ModeResult['mode']));
  const [sync, threads] = [row('sync'), row('threads')];
  const parts: string[] = [];
  if (pySync && pyThreads) {
    parts.push(
      `its threads ${within(pyThreads, pySync) ? 'were no faster than its sync' : `ran at ${speed(pySync, pyThreads)} its sync`} (${formatMs(pyThreads.wallMs)} against ${formatMs(pySync.wallMs)}) and kept ${cores(pyThreads)} cores busy: the GIL lets one thread at a time run Python code`,
    );
  }
  if (pySync && pyProcesses) {
    parts.push(
      `its processes ran at ${speed(pySync, pyProcesses)} its sync and kept ${cores(pyProcesses)} cores busy, each with an interpreter and a GIL of its own`,
    );
  }
  if (sync && threads) {
    parts.push(
      `Node's threads ran at ${speed(sync, threads)} Node's sync and kept ${cores(threads)} cores busy, each worker thread on a V8 isolate of its own`,
    );
  }
  if (sync && pySync) {
    parts.push(
      `Node's sync computed the job ${speed(pySync, sync)} as fast as Python's (a JIT compiler against an interpreter)`,
    );
  }
  return parts;
}

/** Cores a row kept busy on average while it ran: `1.96`. */
function cores(r: Ran): string {
  return (r.cpuMs / r.wallMs).toFixed(2);
}

function ioParts(job: JobFigures, row: Rows): string[] {
  const { concurrency } = job.params;
  const [pySync, pyThreads, pyAsyncio, pyProcesses] = [
    'python sync',
    'python threads',
    'python asyncio',
    'python processes',
  ].map((m) => row(m as ModeResult['mode']));
  const loop = row('loop');
  const parts: string[] = [];
  if (pyAsyncio) {
    parts.push(
      `asyncio took ${formatMs(pyAsyncio.wallMs)} (${formatRatio(pyAsyncio.limitRatio)} the latency bound) on one thread${loop ? `, where Node's loop took ${formatMs(loop.wallMs)}` : ''}: the same model, the same lesson`,
    );
  }
  if (pyThreads) {
    parts.push(
      `${concurrency} threads took ${formatMs(pyThreads.wallMs)}: a thread that waits for a reply releases the GIL, but each costs an OS thread`,
    );
  }
  if (pyProcesses) {
    parts.push(
      `the process pool took ${formatMs(pyProcesses.wallMs)}: each process waits for one reply at a time`,
    );
  }
  if (pySync) parts.push(`sync took ${formatMs(pySync.wallMs)}, as sync does in any runtime`);
  return parts;
}

/** Whether the runs of two rows could have ordered them either way. */
function within(a: Ran, b: Ran): boolean {
  const interval = (r: Ran) => noiseInterval(r.runs.map((x) => x.wallMs));
  return overlap(interval(a), interval(b));
}

/** How many times as fast `faster` was as `baseline`: `1.95×`. */
function speed(baseline: Ran, faster: Ran): string {
  return formatRatio(baseline.wallMs / faster.wallMs);
}

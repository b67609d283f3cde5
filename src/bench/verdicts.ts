/**
 * Plain-words conclusions drawn from the measured figures: which model won each job, by how
 * much, why, and whether switchyard met its targets on this machine.
 *
 * @module
 */
import type { Mode } from '../core/types.js';
import { formatMs, formatRatio } from './format.js';
import type { JobReport, Machine, ModeResult } from './types.js';

/** Start-up above this share of `sync`'s time is worth a sentence: it changes the picture. */
const NOTABLE_STARTUP_SHARE = 0.1;
/** Two single-core modes further apart than this share are told apart from noise in words. */
const NOISE = 0.1;

/** The verdicts of a finished run, one sentence or two each. */
export function verdicts(jobs: readonly JobReport[], machine: Machine): string[] {
  return jobs
    .flatMap((job) => {
      const ran = job.results.filter(
        (r): r is ModeResult & { wallMs: number } => r.wallMs !== null,
      );
      if (ran.length === 0) return [`${job.job}: no mode could run (${reasons(job)}).`];
      const wrong = ran.filter((r) => !r.verified).map((r) => r.mode);
      const warnings =
        wrong.length > 0
          ? [`${job.job}: WRONG RESULTS from ${wrong.join(', ')} — their times do not count.`]
          : [];
      const winner = ran.filter((r) => r.verified).sort((a, b) => a.wallMs - b.wallMs)[0];
      if (!winner) return warnings;
      const lines = job.job === 'io' ? ioVerdicts(job, winner) : cpuVerdicts(job, winner, machine);
      const auto = find(job, 'auto')?.decision;
      const chose = auto ? [`${job.job}: auto chose ${auto}`] : [];
      return [...warnings, ...lines, ...chose, ...targets(job, machine)];
    })
    .concat(busy(machine));
}

/** A loaded machine lends parallel modes fewer cores than it has: say so next to the figures. */
function busy(machine: Machine): string[] {
  return machine.loadAverage > machine.cores / 2
    ? [
        `The machine was busy (load average ${machine.loadAverage.toFixed(2)} on ${machine.cores} cores): other work competed for the cores, so parallel speedups are understated; run again on an idle machine for clean figures.`,
      ]
    : [];
}

function ioVerdicts(job: JobReport, winner: ModeResult & { wallMs: number }): string[] {
  const { sites, concurrency } = job.params;
  const why: Partial<Record<Mode, string>> = {
    loop: `one thread keeps ${concurrency} downloads in flight and sleeps while they wait — waiting needs no extra threads`,
    threads: 'each worker thread overlaps its share of the waits on its own event loop',
    processes: 'each worker process overlaps its share of the waits on its own event loop',
    sync: 'nothing else ran',
  };
  const head = `I/O-bound: ${winner.mode} won in ${formatMs(winner.wallMs)}${vsSync(winner)}, ${formatRatio(winner.limitRatio)} the latency bound (${formatMs(job.limitMs)}): ${why[winner.mode] ?? 'it overlapped the waits best'}.`;
  const sync = find(job, 'sync');
  const syncPart =
    sync?.wallMs != null
      ? ` sync waits for each of the ${sites} replies in turn (${formatMs(sync.wallMs)}).`
      : '';
  const poolPart =
    winner.mode === 'loop' &&
    (find(job, 'threads')?.wallMs ?? find(job, 'processes')?.wallMs) != null
      ? ' Threads and processes overlap the waits too, but pay for workers and messages this job does not need.'
      : '';
  const tail = syncPart + poolPart;
  return [head + tail];
}

function cpuVerdicts(
  job: JobReport,
  winner: ModeResult & { wallMs: number },
  machine: Machine,
): string[] {
  const lines: string[] = [];
  const parallel: Partial<Record<Mode, string>> = {
    threads: `worker threads computed on ${machine.cores} cores at once (no GIL: each thread has its own V8 isolate)`,
    processes: `child processes computed on ${machine.cores} cores at once`,
    distributed: 'workers took the tasks off the queue in parallel',
    auto: 'auto picked a parallel mode',
  };
  const reason = parallel[winner.mode];
  lines.push(
    reason
      ? `CPU-bound: ${winner.mode} won in ${formatMs(winner.wallMs)}${vsSync(winner)} on ${machine.cores} cores: ${reason}.`
      : `CPU-bound: ${winner.mode} was fastest (${formatMs(winner.wallMs)}), so no second core was put to use${ranParallel(job) ? ': at this size the pools lost their gain to dispatch overhead or to other work on the cores' : '; only threads or processes can use more than one'}.`,
  );
  const loop = find(job, 'loop');
  if (loop?.speedup != null) {
    lines.push(
      `loop ran at ${formatRatio(loop.speedup)} sync's speed${Math.abs(loop.speedup - 1) > NOISE ? ' (the difference is noise and JIT warm-up: both run the same code on one core)' : ''}: cooperative multitasking cannot help CPU work, because these tasks never await — one runs to the end before the next starts.`,
    );
  }
  const sync = find(job, 'sync');
  const slow = job.results.filter(
    (r) =>
      r.startupMs != null &&
      sync?.wallMs != null &&
      r.startupMs > NOTABLE_STARTUP_SHARE * sync.wallMs &&
      r.mode !== 'sync',
  );
  if (sync?.wallMs != null && slow.length > 0) {
    const parts = slow.map(
      (r) =>
        `${r.mode} took ${formatMs(r.startupMs)} to start (${formatRatio(sync.wallMs! / (r.wallMs! + r.startupMs!))} sync's speed when it counts)`,
    );
    lines.push(
      `Start-up is a visible share of a job this short (sync ${formatMs(sync.wallMs)}): ${parts.join(', ')}. A larger --scale shows the steady state.`,
    );
  }
  return lines;
}

/** switchyard's published targets, checked against this run. */
function targets(job: JobReport, machine: Machine): string[] {
  const check = (
    what: string,
    value: number | null | undefined,
    ok: (v: number) => boolean,
    shown: string,
  ): string | undefined =>
    value == null ? undefined : `Target ${what}: ${ok(value) ? 'met' : 'missed'} (${shown}).`;
  const lines =
    job.job === 'io'
      ? [
          check(
            'loop ≤ 1.15× the latency bound',
            find(job, 'loop')?.limitRatio,
            (v) => v <= 1.15,
            formatRatio(find(job, 'loop')?.limitRatio),
          ),
          syncBaseline(job, check),
        ]
      : [
          check(
            `threads ≥ ${(0.95 * machine.cores).toFixed(2)}× sync`,
            find(job, 'threads')?.speedup,
            (v) => v >= 0.95 * machine.cores,
            formatRatio(find(job, 'threads')?.speedup),
          ),
          check(
            `processes ≥ ${(0.9 * machine.cores).toFixed(2)}× sync`,
            find(job, 'processes')?.speedup,
            (v) => v >= 0.9 * machine.cores,
            formatRatio(find(job, 'processes')?.speedup),
          ),
        ];
  return lines.filter((l): l is string => l !== undefined);
}

/** sync is the honest baseline: within 1.1× of N × latency, not a strawman. */
function syncBaseline(
  job: JobReport,
  check: (
    what: string,
    value: number | null | undefined,
    ok: (v: number) => boolean,
    shown: string,
  ) => string | undefined,
): string | undefined {
  const sync = find(job, 'sync');
  const { sites, latencyMs } = job.params;
  if (sync?.wallMs == null || !sites || !latencyMs) return undefined;
  const ratio = sync.wallMs / (sites * latencyMs);
  return check(
    `sync within 1.1× of ${sites} × ${latencyMs} ms`,
    ratio,
    (v) => v <= 1.1,
    formatRatio(ratio),
  );
}

function ranParallel(job: JobReport): boolean {
  return job.results.some(
    (r) => (r.mode === 'threads' || r.mode === 'processes') && r.wallMs !== null,
  );
}

function vsSync(r: ModeResult): string {
  return r.mode === 'sync' || r.speedup == null
    ? ''
    : `, ${formatRatio(r.speedup)} faster than sync`;
}

function find(job: JobReport, mode: Mode): ModeResult | undefined {
  return job.results.find((r) => r.mode === mode);
}

function reasons(job: JobReport): string {
  return job.results.map((r) => `${r.mode}: ${r.reason ?? 'no figures'}`).join('; ');
}

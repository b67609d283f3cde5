/** Hand-made bench figures: the verdicts and the renderers must not care where they came from. */
import { unavailable } from '../../src/bench/rounds.js';
import { interquartileRange, median } from '../../src/bench/stats.js';
import type { Contender, JobName, JobReport, Machine, ModeResult } from '../../src/bench/types.js';
import type { JobFigures } from '../../src/bench/verdicts.js';

export const machine: Machine = {
  cpus: 2,
  cores: 2,
  cpuModel: 'Test <CPU>',
  node: 'v20.0.0',
  platform: 'linux',
  arch: 'x64',
  loadAverage: 0.5,
};

/** A row that ran: its runs' wall times, CPU time `cpuMs` per run; ratios are filled by {@link job}. */
export function ran(
  mode: Contender,
  walls: readonly number[],
  { cpuMs = walls[0]!, startupMs = 1, verified = true } = {},
): ModeResult {
  return {
    mode,
    wallMs: median(walls),
    spreadMs: interquartileRange(walls),
    runs: walls.map((wallMs) => ({ wallMs, cpuMs })),
    settled: true,
    startupMs,
    cpuMs,
    speedup: null,
    limitRatio: null,
    verified,
  };
}

/** A row with no figures. */
export function absent(mode: Contender, reason: string): ModeResult {
  return { ...unavailable(mode, reason), speedup: null, limitRatio: null };
}

/** A job's figures, each row related to its runtime's sync and to the limit as the lab does. */
export function job(name: JobName, results: readonly ModeResult[]): JobFigures {
  const sync = (python: boolean) =>
    results.find((r) => r.mode === (python ? 'python sync' : 'sync'))?.wallMs ?? null;
  const limitOf = (syncMs: number | null) =>
    name === 'io' ? 100 : syncMs === null ? null : syncMs / machine.cores;
  return {
    job: name,
    workload: name === 'io' ? 'download 160 sites' : 'sum of squares',
    setup:
      name === 'io' ? 'the sites server runs in a process of its own' : 'scale ×16: calibrated',
    params:
      name === 'io'
        ? { sites: 160, latencyMs: 100, concurrency: 160 }
        : { tasks: 20, firstN: 80_000_000, scale: 16 },
    limitMs: limitOf(sync(false)),
    limitRule:
      name === 'io'
        ? "the slowest site's latency, all 160 in flight at once"
        : 'sync time / 2 cores',
    results: results.map((r) => {
      const python = r.mode.startsWith('python');
      const base = sync(python);
      const limit = limitOf(base);
      return {
        ...r,
        speedup: base === null || r.wallMs === null ? null : base / r.wallMs,
        limitRatio: limit === null || r.wallMs === null ? null : r.wallMs / limit,
      };
    }),
  };
}

/** A finished job report, with the verdicts given. */
export function report(
  figures: JobFigures,
  judged: Pick<JobReport, 'recommended' | 'tied' | 'verdicts'>,
): JobReport {
  return { ...figures, ...judged };
}

/** `n` copies of runs around `ms`, ±`spread` (a steady mode). */
export function around(ms: number, spread = 0.01, n = 5): number[] {
  return Array.from({ length: n }, (_, i) => ms * (1 + spread * (i / (n - 1) - 0.5) * 2));
}

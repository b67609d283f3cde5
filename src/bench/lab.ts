/**
 * The lab: runs each job under each mode (and each compared Python program), measured the
 * same way every time (see `rounds.ts`), relates the figures to `sync` and to the physical
 * limit, and hands them to the verdicts.
 *
 * A contender that cannot run here (not built, not configured, not installed, or failing)
 * becomes a result with a `reason` and no figures: the bench never crashes because of one.
 *
 * @module
 */
import { cpus, loadavg } from 'node:os';
import { withTimeout } from '../primitives/timeout.js';
import { type Experiment, experiment } from './experiments.js';
import { removeQueue } from './local-worker.js';
import { pythonVersion } from './python-session.js';
import { describePolicy } from './repeats.js';
import { type BenchProgress, type Measured, measureJob } from './rounds.js';
import type { BenchSettings } from './settings.js';
import {
  type BenchDocument,
  type Contender,
  isPython,
  type JobReport,
  type Machine,
  PYTHON_MODES,
} from './types.js';
import { judge, notes } from './verdicts.js';

export type { BenchProgress, Measured } from './rounds.js';

/** Runs the experiment described by `settings` and returns the whole document. */
export async function runBench(
  settings: BenchSettings,
  onProgress: (p: BenchProgress) => void = () => {},
): Promise<BenchDocument> {
  const machine = describeMachine(settings);
  const jobs: JobReport[] = [];
  for (const job of settings.jobs) {
    const exp = await experiment(job, settings);
    try {
      const measured = await measureJob(exp, contenders(settings), settings, onProgress);
      jobs.push(report(exp, measured, machine, settings));
    } finally {
      await exp.close();
    }
  }
  if (settings.connection && settings.modes.includes('distributed')) {
    // Best effort, and bounded: an unreachable Redis must not keep the results from the user.
    await withTimeout(removeQueue(settings.connection, settings.queue), 5_000).catch(() => {});
  }
  return { machine, repeats: describePolicy(settings.repeat), jobs, notes: notes(machine) };
}

/** switchyard's modes, then the compared Python programs. */
export function contenders(settings: BenchSettings): Contender[] {
  return [...settings.modes, ...(settings.compare.includes('python') ? PYTHON_MODES : [])];
}

/** Relates each figure to its runtime's `sync` and to the limit, and draws the verdicts. */
function report(
  exp: Experiment,
  measured: readonly Measured[],
  machine: Machine,
  settings: BenchSettings,
): JobReport {
  const syncOf = (python: boolean) =>
    measured.find((m) => m.mode === (python ? 'python sync' : 'sync'))?.wallMs ?? undefined;
  const results = measured.map((m) => {
    const sync = syncOf(isPython(m.mode));
    return { ...m, speedup: ratio(sync, m.wallMs), limitRatio: ratio(m.wallMs, exp.limitMs(sync)) };
  });
  const job = {
    job: exp.job,
    workload: exp.workload,
    setup: exp.setup,
    params: exp.params,
    limitMs: exp.limitMs(syncOf(false)),
    limitRule: exp.limitRule,
    results,
  };
  return { ...job, ...judge(job, machine, settings) };
}

function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return a == null || b == null || b === 0 ? null : a / b;
}

function describeMachine(settings: BenchSettings): Machine {
  const list = cpus();
  const python = settings.compare.includes('python') ? pythonVersion() : undefined;
  return {
    cpus: list.length,
    cores: settings.cores,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    loadAverage: loadavg()[0] ?? 0,
    ...(python && { python }),
  };
}

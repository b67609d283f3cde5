/**
 * The lab: runs each job under each mode (and each compared Python program) and measures
 * it the same way every time — start-up apart, then timed runs of the whole job on the
 * started contender, as many as the repeat policy asks, each verified — and hands the
 * figures to the verdicts.
 *
 * A contender that cannot run here (not built, not configured, not installed, or failing)
 * becomes a result with a `reason` and no figures: the bench never crashes because of one.
 *
 * @module
 */
import { cpus, loadavg } from 'node:os';
import { withTimeout } from '../primitives/timeout.js';
import { cpuTimeMs } from './cpu-time.js';
import { type Experiment, experiment } from './experiments.js';
import { removeQueue } from './local-worker.js';
import { startNodeSession } from './node-session.js';
import { pythonSkips, pythonVersion, startPythonSession } from './python-session.js';
import { describePolicy, needsAnotherRun, settled } from './repeats.js';
import { messageOf, NotAvailable, type Session } from './session.js';
import { type BenchSettings, missingSetting } from './settings.js';
import { interquartileRange, median } from './stats.js';
import {
  type BenchDocument,
  type Contender,
  isPython,
  type JobName,
  type JobReport,
  type Machine,
  type ModeResult,
  PYTHON_MODES,
  type TimedRun,
} from './types.js';
import { judge, notes } from './verdicts.js';

/** What the lab is doing now, for a progress display. */
export interface BenchProgress {
  readonly job: JobName;
  readonly mode: Contender;
  /** `'start'`: starting the contender; `'run'`: timed run `run` is starting; `'done'`: the contender is finished. */
  readonly step: 'start' | 'run' | 'done';
  readonly run: number;
  /** Set with `'done'`: the contender's figures, before they are related to `sync`. */
  readonly result?: Measured;
}

/** A contender's raw figures, before they are related to `sync` and the limit. */
export type Measured = Omit<ModeResult, 'speedup' | 'limitRatio'>;

/** The tolerance `settled` is judged by when the runs were a fixed count. */
const DEFAULT_TOLERANCE = 0.05;

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
      const measured: Measured[] = [];
      for (const mode of contenders(settings)) {
        onProgress({ job, mode, step: 'start', run: 0 });
        const result = await measure(exp, mode, settings, (run) =>
          onProgress({ job, mode, step: 'run', run }),
        );
        measured.push(result);
        onProgress({ job, mode, step: 'done', run: result.runs.length, result });
      }
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

async function measure(
  exp: Experiment,
  contender: Contender,
  settings: BenchSettings,
  onRun: (run: number) => void,
): Promise<Measured> {
  const skipped = isPython(contender)
    ? pythonSkips(contender, exp)
    : missingSetting(contender, settings);
  if (skipped) return unavailable(contender, skipped);
  let session: Session;
  try {
    session = await (isPython(contender)
      ? startPythonSession(exp, contender, settings)
      : startNodeSession(exp, contender, settings));
  } catch (error) {
    return unavailable(
      contender,
      error instanceof NotAvailable ? error.message : `failed: ${messageOf(error)}`,
    );
  }
  try {
    const runs: TimedRun[] = [];
    let verified = true;
    while (needsAnotherRun(settings.repeat, walls(runs))) {
      onRun(runs.length + 1);
      const cpuBefore = cpuTimeMs(exp.unmeasured);
      const before = performance.now();
      const outputs = await session.run();
      runs.push({
        wallMs: performance.now() - before,
        cpuMs: cpuTimeMs(exp.unmeasured) - cpuBefore,
      });
      verified &&= exp.verify(outputs);
    }
    const decision = session.decision();
    return {
      ...figures(contender, runs, settings),
      startupMs: session.startupMs,
      verified,
      ...(decision && { decision }),
    };
  } catch (error) {
    return unavailable(contender, `failed: ${messageOf(error)}`);
  } finally {
    await session.close();
  }
}

function figures(
  mode: Contender,
  runs: readonly TimedRun[],
  settings: BenchSettings,
): Pick<Measured, 'mode' | 'wallMs' | 'spreadMs' | 'runs' | 'settled' | 'cpuMs'> {
  const tolerance =
    settings.repeat.kind === 'until-settled' ? settings.repeat.tolerance : DEFAULT_TOLERANCE;
  return {
    mode,
    wallMs: median(walls(runs)),
    spreadMs: interquartileRange(walls(runs)),
    runs,
    settled: settled(walls(runs), tolerance),
    cpuMs: median(runs.map((r) => r.cpuMs)),
  };
}

function walls(runs: readonly TimedRun[]): number[] {
  return runs.map((r) => r.wallMs);
}

function unavailable(mode: Contender, reason: string): Measured {
  return {
    mode,
    wallMs: null,
    spreadMs: null,
    runs: [],
    settled: false,
    startupMs: null,
    cpuMs: null,
    verified: false,
    reason,
  };
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

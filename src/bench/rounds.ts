/**
 * How one job is measured: every contender is started first, one at a time (so that each
 * start-up is timed alone), then they take turns — one timed run each per round, in an
 * order that rotates from round to round — until each has the runs its repeat policy asks
 * for. On a shared machine the load drifts; taking turns spreads the drift over every
 * contender alike instead of handing it to whichever ran at the wrong minute.
 *
 * Each timed run is preceded by untimed warm-ups of the same contender (connections that
 * idled while the others ran are reopened, the JIT is hot, the heap regrown), so that a
 * timed run measures the job and nothing else.
 *
 * @module
 */
import { cpuTimeMs } from './cpu-time.js';
import type { Experiment } from './experiments.js';
import { startNodeSession } from './node-session.js';
import { pythonSkips, startPythonSession } from './python-session.js';
import { needsAnotherRun, settled } from './repeats.js';
import { messageOf, NotAvailable, type Session } from './session.js';
import { type BenchSettings, missingSetting } from './settings.js';
import { interquartileRange, median } from './stats.js';
import { type Contender, isPython, type JobName, type ModeResult, type TimedRun } from './types.js';

/** A contender's raw figures, before they are related to `sync` and the limit. */
export type Measured = Omit<ModeResult, 'speedup' | 'limitRatio'>;

/** What the lab is doing now, for a progress display. */
export interface BenchProgress {
  readonly job: JobName;
  readonly mode: Contender;
  /** `'start'`: starting the contender; `'run'`: its timed run `run` is starting; `'done'`: it has all its runs. */
  readonly step: 'start' | 'run' | 'done';
  readonly run: number;
  /** Set with `'done'`: the contender's figures, before they are related to `sync`. */
  readonly result?: Measured;
}

/** The tolerance `settled` is judged by when the runs were a fixed count. */
const DEFAULT_TOLERANCE = 0.05;

/** One contender of the job, as the rounds go. */
interface Entry {
  readonly mode: Contender;
  session: Session | undefined;
  readonly startupMs: number | null;
  readonly runs: TimedRun[];
  verified: boolean;
  decision?: string | undefined;
  /** Why it has no figures: it could not start, or a run failed. */
  reason?: string;
}

/** Starts one contender on a job; throws {@link NotAvailable} when it cannot run here. */
export type Starter = (
  exp: Experiment,
  mode: Contender,
  settings: BenchSettings,
) => Promise<Session>;

const startContender: Starter = (exp, mode, settings) =>
  isPython(mode) ? startPythonSession(exp, mode, settings) : startNodeSession(exp, mode, settings);

/** Measures every contender on `exp`; results in the order of `contenders`. */
export async function measureJob(
  exp: Experiment,
  contenders: readonly Contender[],
  settings: BenchSettings,
  onProgress: (p: BenchProgress) => void,
  start: Starter = startContender,
): Promise<Measured[]> {
  const entries: Entry[] = [];
  const finish = async (entry: Entry) => {
    entry.decision = entry.session?.decision();
    await entry.session?.close();
    entry.session = undefined;
    onProgress({
      job: exp.job,
      mode: entry.mode,
      step: 'done',
      run: entry.runs.length,
      result: measured(entry, settings),
    });
  };
  try {
    for (const mode of contenders) {
      onProgress({ job: exp.job, mode, step: 'start', run: 0 });
      const entry = await enter(exp, mode, settings, start);
      entries.push(entry);
      if (!entry.session) await finish(entry);
    }
    for (let round = 0; ; round++) {
      const due = entries.filter((e) => e.session);
      if (due.length === 0) break;
      for (const entry of rotate(due, round)) {
        await runOnce(exp, entry, (run) =>
          onProgress({ job: exp.job, mode: entry.mode, step: 'run', run }),
        );
        const walls = entry.runs.map((r) => r.wallMs);
        if (entry.reason || !needsAnotherRun(settings.repeat, walls)) await finish(entry);
      }
    }
  } finally {
    await Promise.all(entries.map((e) => e.session?.close()));
  }
  return entries.map((e) => measured(e, settings));
}

/** Starts a contender, or says why it cannot run here. */
async function enter(
  exp: Experiment,
  mode: Contender,
  settings: BenchSettings,
  start: Starter,
): Promise<Entry> {
  const entry = { mode, session: undefined, startupMs: null, runs: [], verified: true };
  const skipped = isPython(mode) ? pythonSkips(mode, exp) : missingSetting(mode, settings);
  if (skipped) return { ...entry, reason: skipped };
  try {
    const session = await start(exp, mode, settings);
    return { ...entry, session, startupMs: session.startupMs };
  } catch (error) {
    const reason = error instanceof NotAvailable ? error.message : `failed: ${messageOf(error)}`;
    return { ...entry, reason };
  }
}

/**
 * Untimed warm-ups before each timed run. One reopens connections and re-heats the JIT; the
 * heap needs more: while another contender ran (`sync`'s 16 s of mostly waiting) V8 saw an
 * idle program and shrank its young generation, and a single warm-up leaves the timed run to
 * pay the scavenges that grow it back (10–20 ms on the I/O job's 110 ms).
 */
const WARMUPS_PER_RUN = 3;

/** Untimed warm-ups, then one timed, verified run; a failure ends the contender. */
async function runOnce(exp: Experiment, entry: Entry, onRun: (run: number) => void): Promise<void> {
  const session = entry.session!;
  try {
    for (let i = 0; i < WARMUPS_PER_RUN; i++) await session.warm();
    onRun(entry.runs.length + 1);
    const cpuBefore = cpuTimeMs(exp.unmeasured);
    const before = performance.now();
    const outputs = await session.run();
    entry.runs.push({
      wallMs: performance.now() - before,
      cpuMs: cpuTimeMs(exp.unmeasured) - cpuBefore,
    });
    entry.verified &&= exp.verify(outputs);
  } catch (error) {
    entry.reason = `failed: ${messageOf(error)}`;
  }
}

/** `items` starting at position `round`, wrapping around. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** The figures of a contender that has none, and why. */
export function unavailable(mode: Contender, reason: string): Measured {
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

function measured(entry: Entry, settings: BenchSettings): Measured {
  const walls = entry.runs.map((r) => r.wallMs);
  if (entry.reason || walls.length === 0)
    return unavailable(entry.mode, entry.reason ?? 'no figures');
  const tolerance =
    settings.repeat.kind === 'until-settled' ? settings.repeat.tolerance : DEFAULT_TOLERANCE;
  return {
    mode: entry.mode,
    wallMs: median(walls),
    spreadMs: interquartileRange(walls),
    runs: entry.runs,
    settled: settled(walls, tolerance),
    startupMs: entry.startupMs,
    cpuMs: median(entry.runs.map((r) => r.cpuMs)),
    verified: entry.verified,
    ...(entry.decision && { decision: entry.decision }),
  };
}

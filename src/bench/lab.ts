/**
 * The lab: runs each job under each mode and measures it the same way every time —
 * start-up apart (creating the executor and its first task), then `repeat` timed runs of
 * the whole job on the started executor, each verified, the median kept.
 *
 * A mode that cannot run here (not built, not configured, or failing) becomes a result
 * with a `reason` and no figures: the bench never crashes because of one mode.
 *
 * @module
 */
import { cpus, loadavg } from 'node:os';
import type { PoolOptions } from '../core/options.js';
import type { Executor, Mode } from '../core/types.js';
import { createExecutor } from '../executor/create.js';
import { sleep } from '../primitives/sleep.js';
import { withTimeout } from '../primitives/timeout.js';
import { cpuTimeMs } from './cpu-time.js';
import { type Experiment, experiment } from './experiments.js';
import { type LocalWorker, removeQueue, startLocalWorker } from './local-worker.js';
import { type BenchSettings, missingSetting } from './settings.js';
import type { BenchDocument, JobName, JobReport, Machine, ModeResult } from './types.js';
import { verdicts } from './verdicts.js';

/** What the lab is doing now, for a progress display. */
export interface BenchProgress {
  readonly job: JobName;
  readonly mode: Mode;
  /** `'start'`: creating the executor; `'run'`: timed run `run` of `of` is starting; `'done'`: the mode is finished. */
  readonly step: 'start' | 'run' | 'done';
  readonly run: number;
  readonly of: number;
  /** Set with `'done'`: the mode's figures, before they are related to `sync`. */
  readonly result?: Measured;
}

/** Most warm-up tasks sent at once to bring every worker and connection up. */
const MAX_WARMUP = 1_024;
/** Fewest warm-up tasks: enough for the JIT to optimise the task before it is timed. */
const MIN_WARMUP = 8;

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
      for (const mode of settings.modes) {
        onProgress({ job, mode, step: 'start', run: 0, of: settings.repeat });
        const blocked = missingSetting(mode, settings);
        const result = blocked
          ? unavailable(mode, blocked)
          : await measureMode(exp, mode, settings, (run) =>
              onProgress({ job, mode, step: 'run', run, of: settings.repeat }),
            );
        measured.push(result);
        onProgress({ job, mode, step: 'done', run: settings.repeat, of: settings.repeat, result });
      }
      jobs.push(report(exp, measured));
    } finally {
      await exp.close();
    }
  }
  if (settings.connection && settings.modes.includes('distributed')) {
    // Best effort, and bounded: an unreachable Redis must not keep the results from the user.
    await withTimeout(removeQueue(settings.connection, settings.queue), 5_000).catch(() => {});
  }
  return { machine, jobs, verdicts: verdicts(jobs, machine) };
}

/** A mode's raw figures, before they are related to `sync` and the limit. */
export type Measured = Omit<ModeResult, 'speedup' | 'limitRatio'>;

function report(exp: Experiment, measured: readonly Measured[]): JobReport {
  const syncWall = measured.find((m) => m.mode === 'sync')?.wallMs ?? undefined;
  const limitMs = exp.limitMs(syncWall);
  return {
    job: exp.job,
    workload: exp.workload,
    params: exp.params,
    limitMs,
    limitRule: exp.limitRule,
    results: measured.map((m) => finish(m, syncWall, limitMs)),
  };
}

function finish(m: Measured, syncWall: number | undefined, limitMs: number | null): ModeResult {
  const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
    a == null || b == null || b === 0 ? null : a / b;
  return { ...m, speedup: ratio(syncWall, m.wallMs), limitRatio: ratio(m.wallMs, limitMs) };
}

async function measureMode(
  exp: Experiment,
  mode: Mode,
  settings: BenchSettings,
  onRun: (run: number) => void,
): Promise<Measured> {
  const started = performance.now();
  const helper = mode === 'distributed' ? localWorkerFor(exp, settings) : undefined;
  // Work handed to a worker that died would wait for ever: its death ends the measurement.
  const guard = <T>(work: Promise<T>): Promise<T> =>
    helper ? Promise.race([work, helper.failed]) : work;
  let executor: Executor | undefined;
  try {
    try {
      executor = createExecutor(exp.executorOptions(mode));
    } catch (error) {
      return unavailable(mode, `not available: ${messageOf(error)}`);
    }
    const ex = executor;
    await guard(ex.submit(exp.task, exp.warmup(mode) as never));
    await guard(everyWorkerUp(exp, mode, ex));
    const startupMs = performance.now() - started;
    await guard(drain(ex.map(exp.task, warmups(exp, mode, ex))));

    const inputs = exp.inputs(mode) as never[];
    const walls: number[] = [];
    const cpu: number[] = [];
    let verified = true;
    for (let run = 1; run <= settings.repeat; run++) {
      onRun(run);
      const cpuBefore = cpuTimeMs();
      const before = performance.now();
      const outputs = await guard(drain(ex.map(exp.task, inputs)));
      walls.push(performance.now() - before);
      cpu.push(cpuTimeMs() - cpuBefore);
      verified &&= exp.verify(outputs);
    }
    const figures = { mode, wallMs: median(walls), startupMs, cpuMs: median(cpu), verified };
    const chose = ex.decision;
    return chose ? { ...figures, decision: `${chose.mode}: ${chose.reason}` } : figures;
  } catch (error) {
    return unavailable(mode, `failed: ${messageOf(error)}`);
  } finally {
    await executor?.close({ cancel: true }).catch(() => {});
    await helper?.stop();
  }
}

/** `distributed` runs on one local `switchyard worker` sized like the `threads` pool. */
function localWorkerFor(exp: Experiment, settings: BenchSettings): LocalWorker {
  const pool = exp.executorOptions('threads') as PoolOptions;
  return startLocalWorker({
    connection: settings.connection!,
    queue: settings.queue,
    tasks: [exp.task.moduleUrl],
    workers: pool.workers,
    tasksPerWorker: pool.tasksPerWorker,
  });
}

/** ms the bench waits for every worker of a pool to be up before it gives up waiting. */
const WORKERS_UP_MS = 30_000;

/**
 * Returns once every worker of a pool has run a task. A pool starts work on the first
 * worker that has loaded the task, so a first result does not mean the others are up, and
 * a timed run that began with a worker still starting would count its start-up.
 */
async function everyWorkerUp(exp: Experiment, mode: Mode, executor: Executor): Promise<void> {
  const deadline = performance.now() + WORKERS_UP_MS;
  for (;;) {
    const perWorker = executor.stats().pool?.perWorker;
    if (!perWorker || perWorker.every((w) => w.tasks > 0) || performance.now() > deadline) return;
    await drain(executor.map(exp.task, warmups(exp, mode, executor)));
    await sleep(5);
  }
}

/** One warm-up input per slot, so every worker has loaded the task and opened its connections. */
function warmups(exp: Experiment, mode: Mode, executor: Executor): never[] {
  const slots = Math.min(Math.max(executor.stats().concurrency, MIN_WARMUP), MAX_WARMUP);
  return Array.from({ length: slots }, () => exp.warmup(mode) as never);
}

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

function unavailable(mode: Mode, reason: string): Measured {
  return { mode, wallMs: null, startupMs: null, cpuMs: null, verified: false, reason };
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]!;
}

/** The median; the mean of the middle two for an even count. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function describeMachine(settings: BenchSettings): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    cores: settings.cores,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    loadAverage: loadavg()[0] ?? 0,
  };
}

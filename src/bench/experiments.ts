/**
 * The two jobs of the classic experiment, each described once for every contender: which
 * task and inputs, how each mode's executor is configured, how outputs are verified, and
 * where the physical limit lies.
 *
 * @module
 */

import type { ExecutorOptions } from '../core/options.js';
import type { Task } from '../core/task.js';
import type { Mode } from '../core/types.js';
import { spawnSitesServer } from '../sites/process.js';
import { CPU_BASE_N, CPU_TASKS, calibrateScale, cpuInputs } from './calibrate.js';
import { MAX_SUM_OF_SQUARES_N, sumOfSquaresFormula, sumOfSquaresTask } from './jobs/cpu.js';
import { downloadSiteTask, type SiteDownload } from './jobs/io.js';
import type { BenchSettings } from './settings.js';
import type { JobName } from './types.js';

/** One job, ready to run under any mode or in another runtime. */
export interface Experiment {
  readonly job: JobName;
  readonly workload: string;
  /** How the job was set up, in words: the CPU job's scale and why, the I/O job's server. */
  readonly setup: string;
  readonly params: Readonly<Record<string, number>>;
  readonly limitRule: string;
  readonly task: Task<never, unknown>;
  /** The executor options for `mode`. */
  executorOptions(mode: Mode): ExecutorOptions;
  /** The job's inputs as `mode` should receive them. */
  inputs(mode: Mode): readonly unknown[];
  /**
   * `count` cheap inputs that run the job's own code path — the task loaded where it runs,
   * connections open, the JIT compiling what the timed runs will execute — in little time.
   */
  warmups(mode: Mode, count: number): readonly unknown[];
  /** The job for a program outside switchyard: plain inputs (URLs, or n), and cheap ones to warm up with. */
  readonly plain: {
    readonly inputs: readonly (string | number)[];
    warmups(count: number): readonly (string | number)[];
  };
  /** True when `outputs` (in input order) are exactly right. */
  verify(outputs: readonly unknown[]): boolean;
  /** The physical limit in ms, given the same runtime's `sync` wall time when it ran. */
  limitMs(syncWallMs: number | undefined): number | null;
  /** Processes the job keeps running whose CPU time is not the contenders' (the sites server). */
  readonly unmeasured: readonly number[];
  /** Releases what the job holds (the sites server process). */
  close(): Promise<void>;
}

/** The largest `--scale` the CPU job accepts: its largest n must stay exact. */
export const MAX_SCALE = Math.floor(MAX_SUM_OF_SQUARES_N / (CPU_BASE_N + CPU_TASKS - 1));

/** Builds the experiment for `job`; the I/O job starts its sites server here. */
export function experiment(job: JobName, settings: BenchSettings): Promise<Experiment> {
  return job === 'io' ? ioExperiment(settings) : Promise.resolve(cpuExperiment(settings));
}

/** Options shared by both jobs: pool size, and the Redis connection for `distributed`. */
function baseOptions(mode: Mode, settings: BenchSettings): ExecutorOptions {
  switch (mode) {
    case 'threads':
    case 'processes':
      return { mode, workers: settings.workers };
    case 'distributed':
      return { mode, connection: settings.connection, queue: settings.queue };
    default:
      return { mode };
  }
}

function cpuExperiment(settings: BenchSettings): Experiment {
  const { scale, why } =
    settings.scale === undefined
      ? calibrated()
      : { scale: settings.scale, why: settings.quick ? 'set by --quick' : 'set by --scale' };
  const ns = cpuInputs(scale);
  const expected = ns.map((n) => sumOfSquaresFormula(n).toString());
  return {
    job: 'cpu',
    workload: `sum(i*i for i < n) for ${CPU_TASKS} values of n = (${CPU_BASE_N.toLocaleString('en')} + x) × ${scale}, from ${ns[0]!.toLocaleString('en')}, exact (checked against n(n-1)(2n-1)/6)`,
    setup: `scale ×${scale}: ${why}`,
    params: { tasks: CPU_TASKS, firstN: ns[0]!, scale },
    limitRule: `sync time / ${settings.cores} cores`,
    task: sumOfSquaresTask,
    executorOptions: (mode) => baseOptions(mode, settings),
    inputs: () => ns,
    warmups: (_, count) => cpuWarmups(count),
    plain: { inputs: ns, warmups: cpuWarmups },
    verify: (outputs) =>
      outputs.length === expected.length && outputs.every((o, i) => o === expected[i]),
    limitMs: (syncWallMs) => (syncWallMs === undefined ? null : syncWallMs / settings.cores),
    unmeasured: [],
    close: () => Promise.resolve(),
  };
}

/** Small n: the same loop, compiled and hot, in a fraction of a millisecond each. */
function cpuWarmups(count: number): number[] {
  return Array.from({ length: count }, () => 200_000);
}

function calibrated(): { scale: number; why: string } {
  const { scale, reason } = calibrateScale(MAX_SCALE);
  return { scale, why: `${reason}; --scale sets it` };
}

async function ioExperiment(settings: BenchSettings): Promise<Experiment> {
  const { sites, latencyMs, concurrency, workers } = settings;
  const jitterMs = Math.round(latencyMs / 20);
  // Out of process: a client that shared an event loop with the server would wait for the
  // server's timers and writes, and the loop mode — the only one on this thread — would pay.
  const server = await spawnSitesServer({ sites, latencyMs, jitterMs });
  const perWorker = Math.ceil(concurrency / workers);
  const connections = (mode: Mode): number => {
    if (mode === 'sync') return 1;
    return mode === 'threads' || mode === 'processes' || mode === 'distributed'
      ? perWorker
      : concurrency;
  };
  const urls = Array.from({ length: sites }, (_, i) => server.siteUrl(i));
  // The sites' own bodies without their latency: every byte and checksum of a real download.
  const instantUrls = (count: number) =>
    Array.from({ length: count }, (_, k) => server.instantUrl(k % sites));
  const rounds = Math.ceil(sites / concurrency);
  return {
    job: 'io',
    workload: `download ${sites} sites (${latencyMs} ms ± ${jitterMs} ms latency, 10 KB each, checksummed) with ${concurrency} in flight`,
    setup: 'the sites server runs in a process of its own, on a free loopback port',
    params: { sites, latencyMs, concurrency },
    limitRule: `ceil(${sites} / ${concurrency}) × ${latencyMs} ms`,
    task: downloadSiteTask,
    executorOptions(mode) {
      const base = baseOptions(mode, settings);
      if (mode === 'sync') return base;
      if (mode === 'threads' || mode === 'processes') return { ...base, tasksPerWorker: perWorker };
      return { ...base, concurrency };
    },
    inputs: (mode) => urls.map((url) => ({ url, connections: connections(mode) })),
    warmups: (mode, count) =>
      instantUrls(count).map((url) => ({ url, connections: connections(mode) })),
    plain: { inputs: urls, warmups: instantUrls },
    verify: (outputs) =>
      outputs.length === sites &&
      (outputs as SiteDownload[]).every(
        (o, i) => o.status === 200 && o.checksum === server.checksum(i),
      ),
    limitMs: () => rounds * latencyMs,
    unmeasured: [server.pid],
    close: () => server.close(),
  };
}

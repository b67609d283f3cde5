/**
 * The `switchyard bench` document: what `--json` prints and what the table and the HTML
 * report are drawn from.
 *
 * @module
 */
import type { Mode } from '../core/types.js';
import type { Range } from './stats.js';

/** The two jobs of the classic experiment. */
export const JOBS = ['io', 'cpu'] as const;
export type JobName = (typeof JOBS)[number];

/** Runtimes `--compare` can put beside switchyard's modes. */
export const COMPARISONS = ['python'] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** The classic Python programs, as rows of the document. */
export const PYTHON_MODES = [
  'python sync',
  'python threads',
  'python asyncio',
  'python processes',
] as const;
export type PythonMode = (typeof PYTHON_MODES)[number];

/** What a row of results measured: one of switchyard's modes, or a classic Python program. */
export type Contender = Mode | PythonMode;

/** Whether `contender` is a Python program rather than one of switchyard's modes. */
export function isPython(contender: Contender): contender is PythonMode {
  return (PYTHON_MODES as readonly string[]).includes(contender);
}

/** One timed run of a whole job. */
export interface TimedRun {
  readonly wallMs: number;
  /** CPU time (user + system) of the bench and its child processes, the sites server excepted. */
  readonly cpuMs: number;
}

/** One contender's figures for one job. */
export interface ModeResult {
  readonly mode: Contender;
  /** Median wall time of the timed runs in ms, the executor already started; `null` when it did not run. */
  readonly wallMs: number | null;
  /** Where the middle half of the timed runs lies (interquartile range), in ms. */
  readonly spreadMs: Range | null;
  /** Every timed run, in the order they ran. */
  readonly runs: readonly TimedRun[];
  /** The middle half of the runs lies within the tolerance of the median (false: the cap or the time budget stopped it first). */
  readonly settled: boolean;
  /** What starting it cost, in ms: creating the executor (or the Python program) until every worker ran a task. */
  readonly startupMs: number | null;
  /** Median CPU time of the timed runs, in ms. */
  readonly cpuMs: number | null;
  /** The same runtime's `sync` median / this median: switchyard's `sync` for modes, `python sync` for Python. */
  readonly speedup: number | null;
  /** This median / the physical limit: 1 is the limit. */
  readonly limitRatio: number | null;
  /** Every output of every run matched its expected value. */
  readonly verified: boolean;
  /** Why it has no figures: not built, not configured, not installed, or failed. */
  readonly reason?: string;
  /** `auto` only: the mode it chose and why, in its own words. */
  readonly decision?: string;
}

/** One job's results under every requested mode, and what they say. */
export interface JobReport {
  readonly job: JobName;
  /** What was run, in words: sizes, latency, concurrency. */
  readonly workload: string;
  /** How the job was set up: for CPU, the scale and why (calibration, `--scale` or `--quick`). */
  readonly setup: string;
  /** The sizes behind `workload` (io: sites, latencyMs, concurrency; cpu: tasks, firstN, scale). */
  readonly params: Readonly<Record<string, number>>;
  /** The physical limit in ms for switchyard's modes; `null` when it cannot be known (CPU without `sync`). */
  readonly limitMs: number | null;
  /** How `limitMs` was computed, in words. */
  readonly limitRule: string;
  readonly results: readonly ModeResult[];
  /** The mode to use for a job like this one, by these figures; `null` when they cannot say. */
  readonly recommended: Mode | null;
  /** The modes within noise of the fastest, the fastest included; empty when it stood apart. */
  readonly tied: readonly Mode[];
  /** Plain-words conclusions: which model to use, why, and what the figures can and cannot tell. */
  readonly verdicts: readonly string[];
}

/** Facts about the machine the figures come from. */
export interface Machine {
  /** Logical CPUs the OS reports. */
  readonly cpus: number;
  /** CPUs this process may really use (the pools' default size); the CPU job's limit divides by it. */
  readonly cores: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  /** 1-minute load average when the run started: other work on the machine skews figures. */
  readonly loadAverage: number;
  /** `python3 --version`, when Python was compared. */
  readonly python?: string;
}

/** The whole `switchyard bench` document (`--json`). */
export interface BenchDocument {
  readonly machine: Machine;
  /** How many timed runs each mode got, in words. */
  readonly repeats: string;
  readonly jobs: readonly JobReport[];
  /** Remarks about the whole run: a busy machine, sizes too small to trust. */
  readonly notes: readonly string[];
}

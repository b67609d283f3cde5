/**
 * The `switchyard bench` document: what `--json` prints and what the table and the HTML
 * report are drawn from.
 *
 * @module
 */
import type { Mode } from '../core/types.js';

/** The two jobs of the classic experiment. */
export const JOBS = ['io', 'cpu'] as const;
export type JobName = (typeof JOBS)[number];

/** One mode's figures for one job. */
export interface ModeResult {
  readonly mode: Mode;
  /** Median wall time of the job in ms, the executor already started; `null` when the mode did not run. */
  readonly wallMs: number | null;
  /** What creating the executor and running its first task cost, in ms. */
  readonly startupMs: number | null;
  /** Median CPU time (user + system, this process and its child processes) of the job, in ms. */
  readonly cpuMs: number | null;
  /** `sync`'s `wallMs` / this `wallMs`. */
  readonly speedup: number | null;
  /** This `wallMs` / the job's `limitMs`: 1 is the physical limit. */
  readonly limitRatio: number | null;
  /** Every output of every repetition matched its expected value. */
  readonly verified: boolean;
  /** Why the mode has no figures: not built, not configured, or failed. */
  readonly reason?: string;
  /** `auto` only: the mode it chose and why, in its own words. */
  readonly decision?: string;
}

/** One job's results under every requested mode. */
export interface JobReport {
  readonly job: JobName;
  /** What was run, in words: sizes, latency, concurrency. */
  readonly workload: string;
  /** The sizes behind `workload` (io: sites, latencyMs, concurrency; cpu: tasks, firstN, scale). */
  readonly params: Readonly<Record<string, number>>;
  /** The physical limit in ms: no mode can beat it; `null` when it cannot be known (CPU without `sync`). */
  readonly limitMs: number | null;
  /** How `limitMs` was computed, in words. */
  readonly limitRule: string;
  readonly results: readonly ModeResult[];
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
}

/** The whole `switchyard bench` document (`--json`). */
export interface BenchDocument {
  readonly machine: Machine;
  readonly jobs: readonly JobReport[];
  /** Plain-words conclusions: which model won each job, by how much, and why. */
  readonly verdicts: readonly string[];
}

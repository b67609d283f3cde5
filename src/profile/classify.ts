/**
 * From measurements to a decision: which of four kinds of work the sample shows, and which
 * mode and concurrency fit it. Pure functions over numbers, so every rule can be tested
 * without timing anything.
 */
import type { Decision } from '../executors/types.js';
import {
  CPU_BOUND_SHARE,
  IO_BOUND_SHARE,
  LOOP_CONCURRENCY_RANGE,
  MAX_TASKS_PER_WORKER,
  TINY_TASK_MS,
} from './thresholds.js';

export type WorkloadClass = 'io-bound' | 'cpu-bound' | 'mixed' | 'tiny';

/** What the profiler measured (times in ms, rates per second). */
export interface Measurements {
  readonly sequentialSamples: number;
  /** Median wall time of one task run alone. */
  readonly wallMs: number;
  /** Median CPU time of one task run alone, on the thread that ran it. */
  readonly cpuMs: number;
  /** Share of the sequential wall time spent on CPU, 0..1. */
  readonly cpuShare: number;
  /** Event-loop utilisation of the calling thread while the sequential sample ran, 0..1. */
  readonly eventLoopUtilization: number;
  /** Tasks per second run one at a time. */
  readonly sequentialPerSecond: number;
  /** Tasks run overlapped on the calling thread (0 when that phase was skipped). */
  readonly concurrentSamples: number;
  /** Most of them in flight at once. */
  readonly concurrencyLevel: number;
  /** Tasks per second when overlapped (0 when skipped). */
  readonly concurrentPerSecond: number;
}

/** What the decision may use besides the measurements. */
export interface DecisionContext {
  /** Usable CPUs: the default pool size. */
  readonly cpus: number;
  /** False for a plain function, which cannot be sent to a worker. */
  readonly canLeaveThread: boolean;
}

/** A decision, with the kind of work it was made for. */
export interface AutoDecision extends Decision {
  readonly workload: WorkloadClass;
}

export function classify(m: Measurements): WorkloadClass {
  if (m.wallMs < TINY_TASK_MS) return 'tiny';
  if (m.cpuShare >= CPU_BOUND_SHARE) return 'cpu-bound';
  if (m.cpuShare <= IO_BOUND_SHARE) return 'io-bound';
  return 'mixed';
}

export function decide(m: Measurements, context: DecisionContext): AutoDecision {
  const workload = classify(m);
  const measured = { ...m, cpus: context.cpus } as Record<string, number>;
  const cpu = percent(m.cpuShare);
  const made = (d: Omit<AutoDecision, 'workload' | 'measured'>): AutoDecision => ({
    ...d,
    workload,
    measured,
  });
  const parallel = context.canLeaveThread && context.cpus > 1;
  const whyNotParallel = !context.canLeaveThread
    ? 'a plain function cannot be sent to a worker (pass a task reference to allow threads)'
    : 'only one CPU is usable, so parallel threads cannot help';

  switch (workload) {
    case 'tiny': {
      const overlapHelps = m.concurrentPerSecond > m.sequentialPerSecond;
      return made({
        mode: overlapHelps ? 'loop' : 'sync',
        concurrency: overlapHelps ? Math.max(1, m.concurrencyLevel) : 1,
        reason: `each task takes ${ms(m.wallMs)}, less than sending it to another thread would cost, so it runs on this thread${overlapHelps ? ', overlapped because that measured faster' : ', one after another because overlapping measured no faster'}.`,
      });
    }
    case 'io-bound': {
      const concurrency = littlesLaw(m);
      return made({
        mode: 'loop',
        concurrency,
        reason: `each task spends ${percent(1 - m.cpuShare)} of its ${ms(m.wallMs)} waiting, so one event loop can keep ${concurrency} in flight (Little's law: ${ms(m.wallMs)} latency ÷ ${ms(m.cpuMs)} CPU each).`,
      });
    }
    case 'cpu-bound':
      if (!parallel) {
        return made({
          mode: 'sync',
          concurrency: 1,
          reason: `each task computes for ${cpu} of its ${ms(m.wallMs)}, but ${whyNotParallel}; they run one after another.`,
        });
      }
      return made({
        mode: 'threads',
        concurrency: context.cpus,
        workers: context.cpus,
        tasksPerWorker: 1,
        reason: `each task computes for ${cpu} of its ${ms(m.wallMs)}, so it needs parallel threads: one worker per usable CPU (${context.cpus}).`,
      });
    case 'mixed': {
      if (!parallel) {
        const concurrency = littlesLaw(m);
        return made({
          mode: 'loop',
          concurrency,
          reason: `each task computes for ${cpu} of its ${ms(m.wallMs)} and waits the rest; ${whyNotParallel}, so one event loop overlaps ${concurrency} of them.`,
        });
      }
      const tasksPerWorker = clamp(Math.round(1 / m.cpuShare), 2, MAX_TASKS_PER_WORKER);
      return made({
        mode: 'threads',
        concurrency: context.cpus * tasksPerWorker,
        workers: context.cpus,
        tasksPerWorker,
        reason: `each task computes for ${cpu} of its ${ms(m.wallMs)} and waits the rest, so ${context.cpus} threads share the CPU work and each overlaps ${tasksPerWorker} tasks to fill the waits.`,
      });
    }
  }
}

/** Tasks one thread can keep in flight before its CPU saturates: latency ÷ CPU per task. */
function littlesLaw(m: Measurements): number {
  const { min, max } = LOOP_CONCURRENCY_RANGE;
  if (m.cpuMs <= 0) return max;
  return clamp(Math.ceil(m.wallMs / m.cpuMs), min, max);
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function ms(value: number): string {
  if (value < 1) return `${Math.round(value * 1000)} µs`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

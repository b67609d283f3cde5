/**
 * From measurements to a decision: which of four kinds of work the sample shows, and which
 * mode and concurrency fit it. Pure functions over numbers, so every rule can be tested
 * without timing anything.
 */

import { defaultPoolSize } from '../../core/cpus.js';
import { DEFAULTS } from '../../core/defaults.js';
import type { TaskLike } from '../../core/task.js';
import type { Decision, Mode, Workload } from '../../core/types.js';
import {
  CHUNK_DISPATCH_MS,
  CHUNKED_THREADS_GAIN,
  CPU_BOUND_SHARE,
  IO_BOUND_SHARE,
  LOOP_CONCURRENCY_RANGE,
  MAX_TASKS_PER_WORKER,
  PROFILING_READ_AHEAD,
  SAMPLE_PATIENCE_MS,
  THREAD_CHUNK_MS,
  TINY_TASK_MS,
} from './thresholds.js';

/** What the profiler measured (times in ms, rates per second). */
export interface Measurements {
  readonly sequentialSamples: number;
  /** Median wall time of one task run alone. */
  readonly wallMs: number;
  /**
   * Shortest of those: the warmed-up cost, which JIT warm-up and preemption by other
   * processes can only lengthen. What the *tiny* test uses.
   */
  readonly fastestWallMs: number;
  /**
   * Shortest time a sampled call took to return its promise: all the work of a synchronous
   * task, without the turns of the event loop (other runs' bookkeeping, the consumer) a
   * wall time of a few µs also counts. Only the part before its first `await` of an
   * asynchronous one. What decides whether tiny tasks are worth sending to threads.
   */
  readonly fastestCallMs: number;
  /** Mean CPU time of one task run alone, on the thread that ran it. */
  readonly cpuMs: number;
  /** Share of the sequential wall time spent on CPU, 0..1 (lowered when other processes take the CPU). */
  readonly cpuShare: number;
  /**
   * Share of a task's time the thread computed rather than waited, 0..1: CPU time ÷ (CPU
   * time + time the event loop sat idle). Unlike CPU ÷ wall, time lost to other processes
   * counts on neither side, so a loaded machine does not make CPU-bound work look mixed.
   * What the classification uses.
   */
  readonly busyShare: number;
  /** Tasks per second run one at a time. */
  readonly sequentialPerSecond: number;
  /** Tasks run overlapped on the calling thread (0 when that phase was skipped). */
  readonly concurrentSamples: number;
  /** Most of them in flight at once. */
  readonly concurrencyLevel: number;
  /** Tasks per second when overlapped (0 when skipped). */
  readonly concurrentPerSecond: number;
  /**
   * CPU time per task while overlapped (0 when skipped): the cost each task will have in
   * the run, once the JIT is warm and timers and sockets are shared by many.
   */
  readonly overlappedBusyMs: number;
}

/** What the decision may use besides the measurements. */
export interface DecisionContext {
  /** Usable CPUs: the default pool size. */
  readonly cpus: number;
  /** Why `threads` cannot run this task, when it cannot. */
  readonly threadsUnavailable?: string | undefined;
}

/** The context for deciding how to run `task` with the modes this build has. */
export function decisionContext(
  task: TaskLike<never, unknown>,
  available: readonly Mode[],
  workers = defaultPoolSize(),
): DecisionContext {
  const threadsUnavailable =
    typeof task === 'function'
      ? 'a plain function cannot be sent to a worker (pass a task reference to allow threads)'
      : available.includes('threads')
        ? undefined
        : 'this build has no threads mode';
  return { cpus: workers, threadsUnavailable };
}

/** A decision, with the kind of work it was made for. */
export interface AutoDecision extends Decision {
  readonly workload: Workload;
}

export function classify(m: Measurements): Workload {
  if (m.fastestWallMs < TINY_TASK_MS) return 'tiny';
  if (m.busyShare >= CPU_BOUND_SHARE) return 'cpu-bound';
  if (m.busyShare <= IO_BOUND_SHARE) return 'io-bound';
  return 'mixed';
}

/** The decision for what was measured (`undefined`: no sampled run finished). */
export function decide(m: Measurements | undefined, context: DecisionContext): AutoDecision {
  if (!m) return decideUnmeasured(SAMPLE_PATIENCE_MS, DEFAULTS.loopConcurrency);
  const workload = classify(m);
  const measured = { ...m, cpus: context.cpus } as Record<string, number>;
  const cpu = percent(m.busyShare);
  const made = (d: Omit<AutoDecision, 'workload' | 'measured'>): AutoDecision => ({
    ...d,
    workload,
    measured,
  });
  const whyNotParallel =
    context.threadsUnavailable ??
    (context.cpus > 1 ? undefined : 'only one CPU is usable, so parallel threads cannot help');
  const parallel = whyNotParallel === undefined;

  switch (workload) {
    case 'tiny': {
      const each = ms(m.fastestCallMs);
      const gain = parallel ? chunkedThreadsGain(m.fastestCallMs, context.cpus) : 1;
      if (parallel && gain >= CHUNKED_THREADS_GAIN) {
        return made({
          mode: 'threads',
          concurrency: context.cpus,
          workers: context.cpus,
          tasksPerWorker: 1,
          reason: `each task computes for ${each}, long enough that ${context.cpus} threads fed in chunks (${ms(CHUNK_DISPATCH_MS)} per input to send) should run them ${gain.toFixed(1)}× as fast as this thread alone.`,
        });
      }
      // Tasks this short finish before the next starts, so `sync` and `loop` are one model
      // here; the loop, ungated, spares each task a wait for its turn.
      const why =
        whyNotParallel ??
        `sending each to another thread (${ms(CHUNK_DISPATCH_MS)}, in chunks) would leave ${context.cpus} threads only ${gain.toFixed(1)}× as fast, not worth starting them`;
      const chunkSize = inThreadChunk(m.fastestCallMs);
      return made({
        mode: 'loop',
        concurrency: PROFILING_READ_AHEAD,
        chunkSize,
        reason: `each task takes as little as ${each}, and ${why}; they run on this thread, ${chunkSize} to a chunk.`,
      });
    }
    case 'io-bound': {
      const concurrency = littlesLaw(m);
      return made({
        mode: 'loop',
        concurrency,
        reason: `each task spends ${percent(1 - m.busyShare)} of its ${ms(m.wallMs)} waiting, so one event loop can keep ${concurrency} in flight (Little's law: ${ms(m.wallMs)} latency ÷ ${ms(busyMs(m))} busy each, capped at ${LOOP_CONCURRENCY_RANGE.max}).`,
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
      const tasksPerWorker = clamp(Math.round(1 / m.busyShare), 2, MAX_TASKS_PER_WORKER);
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

/**
 * The decision when no sampled run finished before the sampler lost patience: runs that
 * neither finish nor block the thread are waiting — on I/O or on each other — which is
 * what the event loop is for.
 */
function decideUnmeasured(patienceMs: number, concurrency: number): AutoDecision {
  return {
    mode: 'loop',
    concurrency,
    workload: 'io-bound',
    reason: `no sampled task finished within ${patienceMs} ms while others waited, so they are waiting (on I/O or on each other) and run on the event loop, ${concurrency} at a time.`,
    measured: {},
  };
}

/**
 * Tasks one thread can keep in flight before it saturates — Little's law with the most
 * throughput one thread gives (1 ÷ busy time per task) as the target: latency ÷ busy time.
 * Busy time is the overlapped CPU per task when that was measured, else the sequential share.
 */
function littlesLaw(m: Measurements): number {
  const { min, max } = LOOP_CONCURRENCY_RANGE;
  const busy = busyMs(m);
  if (busy <= 0) return max;
  return clamp(Math.ceil(m.wallMs / busy), min, max);
}

/**
 * How many times as fast `cpus` threads fed in chunks would run tasks of `taskMs` as the
 * calling thread alone: the calling thread spends {@link CHUNK_DISPATCH_MS} on each input
 * and shares the CPUs with the workers, so the rate is at most cpus ÷ (task + dispatch),
 * and at most 1 ÷ dispatch, against 1 ÷ task alone.
 */
export function chunkedThreadsGain(taskMs: number, cpus: number): number {
  return Math.min((cpus * taskMs) / (taskMs + CHUNK_DISPATCH_MS), taskMs / CHUNK_DISPATCH_MS);
}

/**
 * Inputs per chunk for tiny tasks run on the calling thread: about {@link THREAD_CHUNK_MS}
 * of work, and at most a quarter of the map's window, so that it holds several chunks.
 */
export function inThreadChunk(taskMs: number): number {
  const most = PROFILING_READ_AHEAD / 4;
  return taskMs > 0 ? clamp(Math.floor(THREAD_CHUNK_MS / taskMs), 1, most) : most;
}

function busyMs(m: Measurements): number {
  return m.overlappedBusyMs > 0 ? m.overlappedBusyMs : m.wallMs * m.busyShare;
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

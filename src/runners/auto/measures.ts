/**
 * What a window of measurements (see `window.ts`) reads and what it tells the law: the
 * calling thread's busy counters and the clock they come with, and the summary of a closed
 * window. The law's modules speak of windows in these terms alone.
 */

/** Cumulative counters of the calling thread; only differences mean anything. */
export interface BusyReading {
  /** ms of CPU the thread has used. */
  readonly cpuMs: number;
  /** ms its event loop has sat waiting for I/O or timers. */
  readonly idleMs: number;
  /** ms it could have run but waited for a CPU, where the system says (else absent). */
  readonly waitingMs?: number;
  /**
   * ms of CPU every thread of the process has used, and the child processes it ran (see
   * `instruments.ts`), where known (else absent).
   */
  readonly processCpuMs?: number;
  /** Of those, ms this executor's worker threads have used, where known (else absent). */
  readonly workersCpuMs?: number;
}

/** Where time and the calling thread's busy counters come from (real ones, or a test's). */
export interface Instruments {
  now(): number;
  /**
   * The counters now. `threadOnly`: only `cpuMs` and `idleMs` are needed — the process's
   * CPU time can cost tens of µs to read while its other threads are busy, which a window
   * reading several times over could not afford.
   */
  busy(threadOnly?: boolean): BusyReading;
}

/** What a closed window measured. */
export interface WindowSummary {
  /** Inputs that finished in the window (a chunk counts each of its inputs). */
  readonly completions: number;
  /** Of those, how many failed. */
  readonly failures: number;
  readonly spanMs: number;
  /**
   * Inputs finished per second: the lower of the count over the span and Little's law
   * (see `window.ts`); the count alone in a window shorter than a turnover.
   */
  readonly throughput: number;
  /** Mean ms from start to finish of what finished. */
  readonly latencyMs: number;
  /** The shortest of those. */
  readonly fastestMs: number;
  /** Mean number of runs (or chunks) in flight over the window. */
  readonly inFlight: number;
  /** Inputs per run: more than 1 when a `map` started them in chunks. */
  readonly inputsPerRun: number;
  /** The calling thread's CPU time ÷ (CPU time + idle time) over the window, 0..1. */
  readonly busyShare: number;
  /**
   * The same over the window's later half (see `window.ts`), which tells what the thread
   * keeps up with now better than the whole window does while it warms up, or while its
   * first tasks wait; the whole window's when a single run finished in it.
   */
  readonly recentBusyShare: number;
  /**
   * Share of the time the calling thread could have run that it waited for a CPU, 0..1:
   * near 0 on a machine with CPU to spare, high when other work keeps every CPU busy.
   */
  readonly contention: number;
  /** ms of the calling thread's CPU per finished input. */
  readonly cpuPerTaskMs: number;
  /**
   * ms the calling thread was held per finished input: its CPU, and its time blocked in
   * the tasks' synchronous calls (an `Atomics.wait`, a `readFileSync`) — no CPU, but a
   * thread held all the same, as a worker would be. At least `cpuPerTaskMs`. A task that
   * blocks after an `await` is not seen blocking: only the calls are timed.
   */
  readonly heldPerTaskMs: number;
  /**
   * Share of the calling thread's time neither idle nor waiting for a CPU that the tasks
   * held it (its CPU, and its time blocked in their calls), 0..1: near 1 whenever the
   * thread's time is the tasks' — low when something else held it up (results written
   * synchronously to a slow disk, the process loading code under load), which a busy share
   * alone cannot tell.
   */
  readonly heldShare: number;
  /**
   * CPUs the process's other threads kept busy over the window, on average: libuv's pool
   * reading files or compressing for the tasks, V8's helpers collecting their garbage,
   * worker threads — and the programs it ran that ended (a task's `execFile('gzip')`). 0
   * when the process's CPU time is not known.
   */
  readonly othersBusy: number;
  /** Of those, the CPUs this executor's worker threads kept busy, where known (else absent). */
  readonly ownWorkersBusy?: number;
  /**
   * The executor's worker threads started in the window, and their CPU could not be told
   * apart from the process's other threads': `othersBusy` is 0 and says nothing.
   */
  readonly othersUnknown?: boolean;
  /**
   * The executor's worker threads started in the window: their CPU (what starting took) is
   * not in `othersBusy`, which then says nothing of how busy they keep (see `own-start.ts`).
   */
  readonly workersStarted?: boolean;
  /**
   * Share of that CPU spent inside the tasks' synchronous calls, 0..1: near 1 when tasks
   * compute before they first await (or never await), low when they compute after a wait.
   */
  readonly callShare: number;
}

/** The calling thread's CPU time ÷ (CPU time + idle time) between two readings, 0..1. */
export function busyShare(from: BusyReading, to: BusyReading): number {
  const cpu = Math.max(0, to.cpuMs - from.cpuMs);
  const idle = Math.max(0, to.idleMs - from.idleMs);
  return cpu + idle > 0 ? Math.min(1, cpu / (cpu + idle)) : 0;
}

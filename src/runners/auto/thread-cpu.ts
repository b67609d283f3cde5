/**
 * CPU time of the calling thread alone. `process.cpuUsage()` counts every thread of the
 * process — pool workers, V8's compiler and GC helpers — so a worker busy in the same
 * process would make a sleeping main thread look CPU-bound. Node ≥ 23.9 offers
 * `process.threadCpuUsage()`; before that, on Linux, the kernel keeps the main thread's
 * own counters in `/proc/self/task/<pid>/schedstat` (ns) and `…/stat` (clock ticks).
 * Elsewhere, and in worker threads (which this module does not look up), the process's
 * time is the best there is.
 *
 * The kernel brings a running thread's counters up to date when it sleeps and at each
 * scheduler tick (every 4 ms here), so a thread that computes without sleeping sees its
 * own time advance in steps: a single 1 ms burst reads as 0 or 4 ms. Consecutive
 * readings telescope, though — over a run of samples the steps add up to the truth —
 * and a thread that waits (the case that matters: is it waiting or computing?) is
 * settled exactly as it goes to sleep. The alternative, the process total minus every
 * other thread's counters, is exact but costs a directory listing and a read per thread
 * (tens of µs, more than a tiny task) and runs backwards by a few µs at a time.
 */
import { isMainThread } from 'node:worker_threads';
import { openProcFile, openThreadCpu, parseSchedstatWait } from '../../primitives/proc-stat.js';

/** Where a thread's CPU time comes from, best first. */
export type ThreadCpuSource = 'threadCpuUsage' | 'schedstat' | 'stat' | 'process';

function usageMs({ user, system }: NodeJS.CpuUsage): number {
  return (user + system) / 1000;
}

function pick(): { readonly source: ThreadCpuSource; readonly read: () => number } {
  const native = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  if (typeof native === 'function') {
    return { source: 'threadCpuUsage', read: () => usageMs(native.call(process)) };
  }
  // The main thread's id is the process id.
  const counters = isMainThread && process.platform === 'linux' && openThreadCpu(process.pid);
  if (counters) return { source: counters.source, read: counters.file.read };
  return { source: 'process', read: () => usageMs(process.cpuUsage()) };
}

const threadCpu = pick();

/** Where {@link threadCpuMs} reads from in this thread. */
export const threadCpuSource: ThreadCpuSource = threadCpu.source;

/** ms of CPU the calling thread has used so far; only differences mean anything. */
export const threadCpuMs: () => number = threadCpu.read;

const waitReader =
  isMainThread && process.platform === 'linux'
    ? openProcFile(`/proc/self/task/${process.pid}/schedstat`, parseSchedstatWait)?.read
    : undefined;

/**
 * ms the calling thread has waited for a CPU while it could have run (Linux; always 0
 * where the kernel does not say); only differences mean anything.
 */
export const threadWaitMs: () => number = waitReader ?? (() => 0);

/**
 * CPU time of the calling thread alone. `process.cpuUsage()` counts every thread of the
 * process — pool workers, V8's compiler and GC helpers — so a worker busy in the same
 * process would make a sleeping main thread look CPU-bound. Node ≥ 23.9 offers
 * `process.threadCpuUsage()`; before that, on Linux, the kernel keeps the main thread's
 * own counters in `/proc/self/task/<pid>/schedstat` (ns) and `…/stat` (clock ticks).
 * Elsewhere, and in worker threads (whose thread id Node does not expose), the process's
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
import { closeSync, openSync, readSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

/** Where a thread's CPU time comes from, best first. */
export type ThreadCpuSource = 'threadCpuUsage' | 'schedstat' | 'stat' | 'process';

/** Clock ticks per second of `stat` times (`getconf CLK_TCK`: 100 on every Linux Node supports). */
const CLOCK_TICKS_PER_SECOND = 100;

/** ms of CPU from a `schedstat` line, `"<run ns> <wait ns> <timeslices>"`. */
export function parseSchedstat(line: string): number {
  return schedstatField(line, 0);
}

/**
 * ms the thread spent runnable but waiting for a CPU (on a run queue), from a `schedstat`
 * line: how busy the machine is with other work, seen from this thread.
 */
export function parseSchedstatWait(line: string): number {
  return schedstatField(line, 1);
}

function schedstatField(line: string, at: number): number {
  const field = line.trim().split(' ')[at];
  const ns = field ? Number(field) : Number.NaN;
  if (!Number.isFinite(ns)) {
    throw new Error(`schedstat: expected "<run ns> <wait ns> <timeslices>", got "${line.trim()}"`);
  }
  return ns / 1e6;
}

/**
 * ms of CPU from a `stat` line: utime + stime, fields 14 and 15, in clock ticks. The
 * command name (field 2) may hold spaces and parentheses, so fields count from the last `)`.
 */
export function parseStat(line: string): number {
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (the state).
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (line.lastIndexOf(')') < 0 || !Number.isFinite(ticks)) {
    throw new Error(
      `stat: expected "<pid> (<comm>) <state> … <utime> <stime> …", got "${line.trim()}"`,
    );
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Reads `file` through a descriptor kept open (opening costs ten times a read), or
 * `undefined` when it cannot be read or parsed here.
 */
function procReader(file: string, parse: (line: string) => number): (() => number) | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  const buffer = Buffer.alloc(512);
  const read = () => parse(buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0)));
  try {
    read();
    return read;
  } catch {
    closeSync(fd);
    return undefined;
  }
}

function usageMs({ user, system }: NodeJS.CpuUsage): number {
  return (user + system) / 1000;
}

function pick(): { readonly source: ThreadCpuSource; readonly read: () => number } {
  const native = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  if (typeof native === 'function') {
    return { source: 'threadCpuUsage', read: () => usageMs(native.call(process)) };
  }
  if (isMainThread && process.platform === 'linux') {
    // The main thread's id is the process id.
    const task = `/proc/self/task/${process.pid}`;
    const schedstat = procReader(`${task}/schedstat`, parseSchedstat);
    if (schedstat) return { source: 'schedstat', read: schedstat };
    const stat = procReader(`${task}/stat`, parseStat);
    if (stat) return { source: 'stat', read: stat };
  }
  return { source: 'process', read: () => usageMs(process.cpuUsage()) };
}

const threadCpu = pick();

/** Where {@link threadCpuMs} reads from in this thread. */
export const threadCpuSource: ThreadCpuSource = threadCpu.source;

/** ms of CPU the calling thread has used so far; only differences mean anything. */
export const threadCpuMs: () => number = threadCpu.read;

const waitReader =
  isMainThread && process.platform === 'linux'
    ? procReader(`/proc/self/task/${process.pid}/schedstat`, parseSchedstatWait)
    : undefined;

/**
 * ms the calling thread has waited for a CPU while it could have run (Linux; always 0
 * where the kernel does not say); only differences mean anything.
 */
export const threadWaitMs: () => number = waitReader ?? (() => 0);

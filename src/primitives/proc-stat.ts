/**
 * A thread's counters as Linux keeps them under `/proc`: CPU time and time spent waiting
 * for a CPU (`schedstat`, in ns), or CPU time alone (`stat`, in clock ticks). Node tells a
 * thread neither its own counters nor its kernel id before 23.9; this is how switchyard
 * reads the calling thread's and its worker threads' (see `runners/auto/thread-cpu.ts` and
 * `runners/pool/transports/thread.ts`).
 */
import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';

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
  return statMs(line, 14, '<utime> <stime>');
}

/**
 * ms of CPU that a process's child processes used, from its `stat` line: cutime + cstime,
 * fields 16 and 17, in clock ticks — children that ended and were waited for, and theirs.
 */
export function parseChildrenStat(line: string): number {
  return statMs(line, 16, '<utime> <stime> <cutime> <cstime>');
}

/** ms from the two clock-tick fields of a `stat` line that begin at field `first` (named `what`). */
function statMs(line: string, first: number, what: string): number {
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (the state).
  const ticks = Number(fields[first - 3]) + Number(fields[first - 2]);
  if (line.lastIndexOf(')') < 0 || !Number.isFinite(ticks)) {
    throw new Error(`stat: expected "<pid> (<comm>) <state> … ${what} …", got "${line.trim()}"`);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** ms of CPU several threads have used in all, or `undefined` when one of them does not say. */
export function totalCpuMs(readings: Iterable<number | undefined>): number | undefined {
  let sum = 0;
  for (const ms of readings) {
    if (ms === undefined) return undefined;
    sum += ms;
  }
  return sum;
}

/** A `/proc` file read again and again through one descriptor (opening costs ten times a read). */
export interface ProcFile {
  /** Reads and parses the file now; throws once the thread it describes has ended. */
  read(): number;
  close(): void;
}

/** Opens `file`, or `undefined` when it cannot be opened, read or parsed here. */
export function openProcFile(file: string, parse: (line: string) => number): ProcFile | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  const buffer = Buffer.alloc(512);
  const proc: ProcFile = {
    read: () => parse(buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0))),
    close: () => closeSync(fd),
  };
  try {
    proc.read();
    return proc;
  } catch {
    proc.close();
    return undefined;
  }
}

/**
 * The CPU-time counters of thread `tid` of this process: `schedstat` (ns), else `stat`
 * (clock ticks, where the kernel keeps no schedstat); `undefined` where neither reads.
 */
export function openThreadCpu(
  tid: number,
): { readonly source: 'schedstat' | 'stat'; readonly file: ProcFile } | undefined {
  const task = `/proc/self/task/${tid}`;
  const schedstat = openProcFile(`${task}/schedstat`, parseSchedstat);
  if (schedstat) return { source: 'schedstat', file: schedstat };
  const stat = openProcFile(`${task}/stat`, parseStat);
  return stat && { source: 'stat', file: stat };
}

/**
 * The kernel's id of the thread that asks (`/proc/thread-self` links to
 * `<pid>/task/<tid>`), or `undefined` where there is no such link (not Linux, or a kernel
 * before 3.17).
 */
export function ownThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

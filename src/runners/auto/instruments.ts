/**
 * The real clock and busy counters the controller measures with: `performance.now()`, the
 * calling thread's own CPU time and the time it waited for a CPU (see `thread-cpu.ts`),
 * the time its event loop sat idle, the CPU time of the whole process and of the programs
 * it ran (its other threads and those programs are what is left of it) and, where the
 * system says, of the executor's worker threads among them. Tests give the controller
 * simulated ones instead.
 */
import { openProcFile, parseChildrenStat } from '../../primitives/proc-stat.js';
import type { Instruments } from './measures.js';
import { threadCpuMs, threadWaitMs } from './thread-cpu.js';

/**
 * ms of CPU this process's child processes have used, those that ended (Linux adds a
 * child's time to its parent's when the parent waits for it, which Node does as soon as
 * it exits); 0 where the system does not say. A task that runs a program
 * (`execFile('gzip')`) costs the machine's CPUs that program's time as well, which worker
 * threads would compete with as they do with libuv's pool: it counts with the process's
 * other threads.
 */
function childrenCpuMs(): number {
  // Opened on first use, not on import: a program that never measures keeps no descriptor.
  readChildren ??=
    (process.platform === 'linux' && openProcFile('/proc/self/stat', parseChildrenStat)?.read) ||
    (() => 0);
  return readChildren();
}
let readChildren: (() => number) | undefined;

function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000 + childrenCpuMs();
}

/** `workersCpuMs`: ms of CPU the executor's worker threads have used, where known. */
export function callingThread(
  workersCpuMs: () => number | undefined = () => undefined,
): Instruments {
  return {
    now: () => performance.now(),
    busy: (threadOnly) => {
      const thread = { cpuMs: threadCpuMs(), idleMs: performance.eventLoopUtilization().idle };
      if (threadOnly) return thread;
      const workers = workersCpuMs();
      return {
        ...thread,
        waitingMs: threadWaitMs(),
        processCpuMs: processCpuMs(),
        ...(workers === undefined ? {} : { workersCpuMs: workers }),
      };
    },
  };
}

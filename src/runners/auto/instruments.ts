/**
 * The real clock and busy counters the controller measures with: `performance.now()`, the
 * calling thread's own CPU time and the time it waited for a CPU (see `thread-cpu.ts`),
 * the time its event loop sat idle, the CPU time of the whole process (its other threads
 * are what is left of it) and, where the system says, of the executor's worker threads
 * among them. Tests give the controller simulated ones instead.
 */
import { threadCpuMs, threadWaitMs } from './thread-cpu.js';
import type { Instruments } from './window.js';

function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
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

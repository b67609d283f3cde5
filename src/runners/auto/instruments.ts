/**
 * The real clock and busy counters the controller measures with: `performance.now()`, the
 * calling thread's own CPU time and the time it waited for a CPU (see `thread-cpu.ts`),
 * the time its event loop sat idle, and the CPU time of the whole process (its other
 * threads are what is left of it). Tests give the controller simulated ones instead.
 */
import { threadCpuMs, threadWaitMs } from './thread-cpu.js';
import type { Instruments } from './window.js';

function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export const callingThread: Instruments = {
  now: () => performance.now(),
  busy: (threadOnly) => {
    const thread = { cpuMs: threadCpuMs(), idleMs: performance.eventLoopUtilization().idle };
    return threadOnly
      ? thread
      : { ...thread, waitingMs: threadWaitMs(), processCpuMs: processCpuMs() };
  },
};

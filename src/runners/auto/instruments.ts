/**
 * The real clock and busy counters the controller measures with: `performance.now()`, the
 * calling thread's own CPU time and the time it waited for a CPU (see `thread-cpu.ts`),
 * and the time its event loop sat idle. Tests give the controller simulated ones instead.
 */
import { threadCpuMs, threadWaitMs } from './thread-cpu.js';
import type { Instruments } from './window.js';

export const callingThread: Instruments = {
  now: () => performance.now(),
  busy: () => ({
    cpuMs: threadCpuMs(),
    idleMs: performance.eventLoopUtilization().idle,
    waitingMs: threadWaitMs(),
  }),
};

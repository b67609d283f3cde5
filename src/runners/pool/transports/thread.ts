/**
 * `threads`: each worker is a `worker_threads` Worker (one V8 isolate, its own event loop)
 * spoken to over its MessagePort. Memory caps are `resourceLimits`; hitting one ends the
 * thread with `ERR_WORKER_OUT_OF_MEMORY`, reported as a memory-limit death.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { openThreadCpu, type ProcFile } from '../../../primitives/proc-stat.js';
import type { TransportSpec } from '../transport.js';
import { THREAD_ID_CELL, type WorkerSettings } from '../worker/port.js';
import { workerExecArgv, workerMain } from './entry.js';

export const threadTransport: TransportSpec = {
  name: 'thread',
  spawn({ workerId, tasksPerWorker, resourceLimits }, events) {
    // Written by the worker as it starts each input; read here once it has died, to know
    // which input killed it (no race: the thread is gone by then). And its kernel id.
    const running = new Int32Array(new SharedArrayBuffer(4 * (THREAD_ID_CELL + 1)));
    const cpu = new ThreadCpu(running);
    const workerData: WorkerSettings = {
      workerId,
      tasksPerWorker,
      running: running.buffer as SharedArrayBuffer,
    };
    const worker = startWorker({ workerData, ...(resourceLimits ? { resourceLimits } : {}) });
    let failure: Error | undefined;
    worker.on('message', events.message);
    worker.on('error', (error) => {
      failure = error;
    });
    worker.on('exit', (exitCode) => {
      cpu.close();
      const memoryLimit =
        (failure as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      events.exit({
        exitCode,
        memoryLimit,
        detail: memoryLimit ? undefined : failure?.message,
        running: running[0] === 0 ? null : { jobId: running[0]!, offset: running[1]! },
      });
    });
    return {
      send: (batch, transfer) => worker.postMessage(batch, transfer),
      keepAlive: (busy) => (busy ? worker.ref() : worker.unref()),
      terminate: () => void worker.terminate(),
      cpuMs: () => cpu.read(),
    };
  },
};

/**
 * The caller's flags a thread can take: a thread refuses process-wide ones (`--trace-gc`,
 * `--max-old-space-size`), which would make every pool of a program started with them
 * fail. Learnt from the first refusal, which names them, and remembered.
 */
let threadFlags: string[] | undefined;

function startWorker(options: WorkerOptions): Worker {
  threadFlags ??= workerExecArgv();
  try {
    return new Worker(workerMain(), { ...options, execArgv: threadFlags });
  } catch (error) {
    const refused = refusedFlags(error);
    if (!refused) throw error;
    threadFlags = threadFlags.filter((flag) => !refused.has(flag));
    return new Worker(workerMain(), { ...options, execArgv: threadFlags });
  }
}

/** The flags named by Node's `ERR_WORKER_INVALID_EXEC_ARGV`, if that is what `error` is. */
function refusedFlags(error: unknown): Set<string> | undefined {
  if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return undefined;
  const listed = /flags: (.*)$/.exec((error as Error).message)?.[1];
  return listed ? new Set(listed.split(', ')) : undefined;
}

/**
 * A worker thread's CPU time, read from its counters under `/proc` (Linux) once it has
 * written its kernel id (see `THREAD_ID_CELL`): readable while the thread is busy, as
 * no message to it would be answered then.
 */
class ThreadCpu {
  readonly #cells: Int32Array;
  #file: ProcFile | undefined;
  /** The system does not say (no `/proc`, or the thread could not find its id). */
  #unknown = false;
  #exited = false;
  #lastMs = 0;

  constructor(cells: Int32Array) {
    this.#cells = cells;
  }

  read(): number | undefined {
    if (this.#unknown) return undefined;
    if (!this.#file && !this.#exited) {
      const tid = this.#cells[THREAD_ID_CELL]!;
      // Not yet known: its start so far would count in whatever read it next.
      if (tid === 0) return undefined;
      this.#file = tid > 0 ? openThreadCpu(tid)?.file : undefined;
      this.#unknown = !this.#file;
      if (this.#unknown) return undefined;
    }
    try {
      if (this.#file) this.#lastMs = this.#file.read();
    } catch {
      // The thread has just ended: what it had used stays.
    }
    return this.#lastMs;
  }

  /** The thread exited: its counters are gone, and the descriptor is given back. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
    this.#exited = true;
  }
}

/**
 * `threads`: each worker is a `worker_threads` Worker (one V8 isolate, its own event loop)
 * spoken to over its MessagePort. Memory caps are `resourceLimits`; hitting one ends the
 * thread with `ERR_WORKER_OUT_OF_MEMORY`, reported as a memory-limit death.
 */
import { Worker } from 'node:worker_threads';
import type { TransportSpec } from '../transport.js';
import type { WorkerSettings } from '../worker/port.js';
import { workerExecArgv, workerMain } from './entry.js';

export const threadTransport: TransportSpec = {
  name: 'thread',
  spawn({ workerId, tasksPerWorker, resourceLimits }, events) {
    const workerData: WorkerSettings = { workerId, tasksPerWorker };
    const worker = new Worker(workerMain(), {
      workerData,
      execArgv: workerExecArgv(),
      ...(resourceLimits ? { resourceLimits } : {}),
    });
    let failure: Error | undefined;
    worker.on('message', events.message);
    worker.on('error', (error) => {
      failure = error;
    });
    worker.on('exit', (exitCode) => {
      const memoryLimit =
        (failure as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      events.exit({ exitCode, memoryLimit, detail: memoryLimit ? undefined : failure?.message });
    });
    return {
      send: (batch, transfer) => worker.postMessage(batch, transfer),
      keepAlive: (busy) => (busy ? worker.ref() : worker.unref()),
      terminate: () => void worker.terminate(),
    };
  },
};

/**
 * `threads`: each worker is a `worker_threads` Worker (one V8 isolate, its own event loop)
 * spoken to over its MessagePort. Memory caps are `resourceLimits`; hitting one ends the
 * thread with `ERR_WORKER_OUT_OF_MEMORY`, reported as a memory-limit death.
 */
import { Worker } from 'node:worker_threads';
import type { TransportSpec } from '../transport.js';
import type { WorkerSettings } from '../worker/port.js';
import { FROM_SOURCE, WORKER_MAIN, workerExecArgv } from './entry.js';

export const threadTransport: TransportSpec = {
  name: 'thread',
  spawn({ workerId, tasksPerWorker, resourceLimits }, events) {
    const workerData: WorkerSettings = { workerId, tasksPerWorker };
    const [filename, evalOption] = entry();
    const worker = new Worker(filename, {
      ...evalOption,
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

/**
 * From source, Node 20 does not apply `--import tsx` to a worker thread's entry module,
 * so the thread starts from a one-line bootstrap that imports `main.ts` through tsx.
 */
function entry(): [URL | string, { eval?: boolean }] {
  if (!FROM_SOURCE) return [WORKER_MAIN, {}];
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(WORKER_MAIN.href)}, ${JSON.stringify(WORKER_MAIN.href)}))`;
  return [code, { eval: true }];
}

/**
 * The worker side of a transport: how the shared worker main receives batches and answers,
 * inside a worker thread (`parentPort`) or a child process (its IPC channel).
 */
import type { FromWorkerWire, ToWorkerWire, WorkerInit } from '../protocol.js';
import { ownBuffers } from '../transports/own-buffers.js';

export interface WorkerPort extends WorkerInit {
  /** Tasks this worker runs at once. */
  readonly tasksPerWorker: number;
  onMessage(listener: (batch: readonly ToWorkerWire[]) => void): void;
  /** Sends a batch; throws (`DataCloneError`) when something in it cannot be serialized. */
  post(batch: readonly FromWorkerWire[]): void;
  /**
   * Records, where the pool can read it even after this worker dies, which input's task
   * code runs now (`jobId` 0: none). Present only where the transport offers such memory
   * (threads); without it the worker answers each job before starting the next, so that
   * a crash never takes finished answers down with it.
   */
  mark?(jobId: number, offset: number): void;
}

/** What the pool hands a new worker (thread `workerData`, or the child's environment). */
export interface WorkerSettings extends WorkerInit {
  readonly tasksPerWorker: number;
  /** Threads: two int32 cells shared with the pool, `[jobId, offset]` of the input running now. */
  readonly running?: SharedArrayBuffer | undefined;
  /** Processes: the file descriptor of a pipe only the parent writes to (see `watchdog.ts`). */
  readonly parentPipe?: number | undefined;
}

/** Name of the environment variable that carries {@link WorkerSettings} to a child process. */
export const SETTINGS_ENV = 'SWITCHYARD_WORKER';

export async function openPort(): Promise<WorkerPort> {
  const { isMainThread, parentPort, workerData } = await import('node:worker_threads');
  if (!isMainThread && parentPort) {
    const settings = workerData as WorkerSettings;
    const running = settings.running && new Int32Array(settings.running);
    return {
      ...settings,
      onMessage: (listener) => parentPort.on('message', listener),
      post: (batch) => parentPort.postMessage(batch),
      ...(running && {
        mark(jobId: number, offset: number) {
          running[1] = offset;
          running[0] = jobId;
        },
      }),
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('switchyard worker: started without a parent to talk to');
  // No orphans: a parent that closes the channel ends an idle worker at once; a busy one,
  // whose event loop never hears that, is ended by its watchdog when the parent dies.
  process.on('disconnect', () => process.exit(0));
  const settings = JSON.parse(process.env[SETTINGS_ENV] ?? '{}') as WorkerSettings;
  // A child drops what arrives while nothing listens: hold it until the worker listens.
  // Node decodes a typed array as a view into its shared read buffer: `ownBuffers` copies
  // each out (see `own-buffers.ts`).
  const early: (readonly ToWorkerWire[])[] = [];
  const hold = (batch: readonly ToWorkerWire[]) => early.push(ownBuffers(batch));
  process.on('message', hold);
  if (settings.parentPipe !== undefined) {
    const { watchParent } = await import('./watchdog.js');
    await watchParent(settings.parentPipe);
  }
  return {
    ...settings,
    onMessage: (listener) => {
      process.off('message', hold);
      process.on('message', (batch: readonly ToWorkerWire[]) => listener(ownBuffers(batch)));
      for (const batch of early.splice(0)) listener(batch);
    },
    post: (batch) => {
      send(batch);
    },
  };
}

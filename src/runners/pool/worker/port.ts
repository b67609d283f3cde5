/**
 * The worker side of a transport: how the shared worker main receives batches and answers,
 * inside a worker thread (`parentPort`) or a child process (its IPC channel).
 */

import { ownThreadId } from '../../../primitives/proc-stat.js';
import type { FromWorkerWire, ToWorkerWire, WorkerInit } from '../protocol.js';
import { ownBuffers } from '../transports/own-buffers.js';

export interface WorkerPort extends WorkerInit {
  /** Tasks this worker runs at once. */
  readonly tasksPerWorker: number;
  onMessage(listener: (batch: readonly ToWorkerWire[]) => void): void;
  /** Sends a batch; throws (`DataCloneError`) when something in it cannot be serialized. */
  post(batch: readonly FromWorkerWire[]): void;
  /**
   * Records which input's task code runs now, from its call until its promise settles
   * (`jobId` 0: none, or several awaiting at once), where the pool can read it after this
   * worker dies: the input that killed the worker fails alone, and runs once.
   */
  mark(jobId: number, offset: number): void;
  /**
   * The pool reads the mark whatever ends the worker (threads: memory shared with it).
   * Otherwise (processes) it reads it only when the worker ends itself — `process.exit()`,
   * an uncaught error — not after a fatal signal or a memory cap: the worker then answers
   * each job before starting the next, so that a crash that names no input never takes
   * finished answers down with it.
   */
  readonly markSurvivesAnyDeath: boolean;
}

/** What the pool hands a new worker (thread `workerData`, or the child's environment). */
export interface WorkerSettings extends WorkerInit {
  readonly tasksPerWorker: number;
  /**
   * Threads: int32 cells shared with the pool, `[jobId, offset]` of the input running now,
   * then the thread's kernel id (see {@link THREAD_ID_CELL}).
   */
  readonly running?: SharedArrayBuffer | undefined;
  /**
   * Processes: the file descriptor of a pipe the parent never writes to (see `watchdog.ts`);
   * the worker writes its mark to it as it ends itself (see `transports/process.ts`).
   */
  readonly parentPipe?: number | undefined;
}

/**
 * The cell of {@link WorkerSettings.running} where a worker thread writes its kernel id as
 * it starts, before it loads any task, so that the pool can read the thread's CPU time
 * under `/proc` while it is busy (see `transports/thread.ts`); -1 where it has none.
 */
export const THREAD_ID_CELL = 2;

/** Name of the environment variable that carries {@link WorkerSettings} to a child process. */
export const SETTINGS_ENV = 'SWITCHYARD_WORKER';

export async function openPort(): Promise<WorkerPort> {
  const { isMainThread, parentPort, workerData } = await import('node:worker_threads');
  if (!isMainThread && parentPort) {
    const settings = workerData as WorkerSettings;
    const running = settings.running && new Int32Array(settings.running);
    if (running) running[THREAD_ID_CELL] = ownThreadId() ?? -1;
    return {
      ...settings,
      onMessage: (listener) => parentPort.on('message', listener),
      post: (batch) => parentPort.postMessage(batch),
      mark: running
        ? (jobId, offset) => {
            running[1] = offset;
            running[0] = jobId;
          }
        : () => {},
      markSurvivesAnyDeath: running !== undefined,
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
  // A process has no memory the pool can read after its death: the mark is kept here, and
  // written to the parent's pipe as the process ends itself. A synchronous write, since
  // nothing asynchronous runs any more in an 'exit' listener; too small to be split.
  const marked = new Int32Array(2);
  const pipe = settings.parentPipe;
  if (pipe !== undefined) {
    const { writeSync } = await import('node:fs');
    process.on('exit', () => {
      if (marked[0] === 0) return;
      try {
        writeSync(pipe, new Uint8Array(marked.buffer));
      } catch {
        // The parent is gone, or stopped reading: it learns nothing, and traces the job.
      }
    });
  }
  return {
    ...settings,
    mark: (jobId, offset) => {
      marked[0] = jobId;
      marked[1] = offset;
    },
    markSurvivesAnyDeath: false,
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

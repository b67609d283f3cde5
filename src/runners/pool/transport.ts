import type { ResourceLimits, TransferListItem } from 'node:worker_threads';
/**
 * The one difference between `threads` and `processes`: how a worker is started, spoken
 * to, stopped, and how its death is described. The pool core sees only this interface.
 */
import type { WorkerExit } from '../../core/errors.js';
import type { FromWorkerWire, ToWorkerWire } from './protocol.js';

/** How a worker ended, with what the platform said about it. */
export interface WorkerDeath extends WorkerExit {
  /** e.g. the uncaught error of a worker thread. */
  readonly detail?: string | undefined;
  /**
   * The input whose task code the worker was running, or awaiting, when it died; `null`
   * when it ran none (it died between tasks) or several awaited at once; `undefined` when
   * the transport cannot tell. See {@link RunningInput}.
   */
  readonly running?: RunningInput | null | undefined;
}

/** An input of a job, by the job's id and the input's offset in it. */
export interface RunningInput {
  readonly jobId: number;
  readonly offset: number;
}

/** Callbacks a transport calls; `exit` exactly once, after the last `message`. */
export interface TransportEvents {
  message(batch: readonly FromWorkerWire[]): void;
  exit(death: WorkerDeath): void;
}

/** One live worker. */
export interface Transport {
  /**
   * Sends a batch. Throws (synchronously) when part of it cannot be serialized; nothing
   * is sent then.
   */
  send(batch: readonly ToWorkerWire[], transfer?: readonly TransferListItem[]): void;
  /** Lets the worker hold the caller's process open (busy) or not (idle). */
  keepAlive(busy: boolean): void;
  /** Stops the worker at once; `exit` follows. */
  terminate(): void;
  /**
   * Optional: ms of CPU the worker has used so far, or `undefined` where the system does
   * not say (or not yet: a thread tells which it is as it starts); only differences mean
   * anything. After its exit, what it had used when last read.
   */
  cpuMs?(): number | undefined;
}

/** What a pool needs to start workers of one kind. */
export interface TransportSpec {
  readonly name: 'thread' | 'process';
  spawn(settings: SpawnSettings, events: TransportEvents): Transport;
}

export interface SpawnSettings {
  readonly workerId: number;
  readonly tasksPerWorker: number;
  readonly resourceLimits?: ResourceLimits | undefined;
}

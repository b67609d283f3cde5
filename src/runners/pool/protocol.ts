/**
 * The messages between a pool and its workers — the same for threads and processes. Both
 * sides batch: one `postMessage`/`send` carries every message produced in one turn of the
 * event loop, so a burst of small tasks costs one crossing, not one per task.
 *
 * A *job* is the unit of dispatch: one input for `submit`, several for a `map` chunk. The
 * worker answers every job it receives exactly once with `done`, even a cancelled one.
 */

import type { Unsendable } from '../../core/unsendable.js';
import type { WireError } from '../../core/wire.js';

/** Makes a task module's export known to a worker under a small number. */
export interface LoadMessage {
  readonly kind: 'load';
  readonly taskId: number;
  readonly moduleUrl: string;
  readonly exportName: string;
}

/** Runs a task over `inputs`, one after another, on the worker's event loop. */
export interface RunMessage {
  readonly kind: 'run';
  readonly jobId: number;
  readonly taskId: number;
  readonly inputs: readonly unknown[];
  /** What the worker announces of this job as it happens (see {@link Watch}); nothing when absent. */
  readonly watch?: Watch | undefined;
}

/**
 * `'start'`: the worker says when the job starts (a `started` message for offset 0) — a
 * job with a timeout, whose clock starts then. `'inputs'`: it says when each input starts —
 * a job being run again to find which of its inputs killed a worker. Either way the
 * announcement and the job's answer leave at once, never held back in the worker's outbox.
 */
export type Watch = 'start' | 'inputs';

/** Fires the job's `ctx.signal` if it runs; drops it if it has not started. */
export interface CancelMessage {
  readonly kind: 'cancel';
  readonly jobId: number;
  readonly reason: WireError;
}

/**
 * Consecutive single-input `run` messages of one batch, as columns (see `pack.ts`): a burst
 * of `submit` crosses as three arrays, not as an object and an array per job.
 */
export interface RunsMessage {
  readonly kind: 'runs';
  readonly jobIds: number[];
  readonly taskIds: number[];
  readonly inputs: unknown[];
}

export type ToWorker = LoadMessage | RunMessage | CancelMessage;
/** What crosses to a worker: messages, some packed. */
export type ToWorkerWire = ToWorker | RunsMessage;

/** The answer to a `load`: `error` when the module or export is missing. */
export interface LoadedMessage {
  readonly kind: 'loaded';
  readonly taskId: number;
  readonly error?: WireError | undefined;
}

/**
 * A job finished. `values[i]` is the output of `inputs[i]`; `failures` lists the inputs
 * that threw (or whose output could not be sent). `dropped`: cancelled before it started.
 */
export interface DoneMessage {
  readonly kind: 'done';
  readonly jobId: number;
  readonly values: readonly unknown[];
  readonly failures?: readonly Failure[] | undefined;
  readonly dropped?: boolean | undefined;
  /** Milliseconds the job ran, from its first input's start to its last input's end. */
  readonly ms: number;
}

/** One input of a job that failed: its offset in the job, and the error. */
export interface Failure {
  readonly offset: number;
  readonly error: WireError;
  /** The output could not be sent back: where in it, and why. */
  readonly unsendable?: Unsendable | undefined;
}

/** A task called `ctx.progress(value)`. */
export interface ProgressMessage {
  readonly kind: 'progress';
  readonly jobId: number;
  readonly offset: number;
  readonly value: unknown;
}

/** Consecutive `done` messages of single-input jobs that succeeded, as columns (see `pack.ts`). */
export interface DonesMessage {
  readonly kind: 'dones';
  readonly jobIds: number[];
  readonly values: unknown[];
  readonly ms: number[];
}

/** A watched job's input started running (see {@link Watch}). */
export interface StartedMessage {
  readonly kind: 'started';
  readonly jobId: number;
  readonly offset: number;
}

export type FromWorker = LoadedMessage | DoneMessage | ProgressMessage | StartedMessage;
/** What crosses back from a worker: messages, some packed. */
export type FromWorkerWire = FromWorker | DonesMessage;

/** What a worker is told at start: who it is. */
export interface WorkerInit {
  readonly workerId: number;
}

import type { TransferListItem } from 'node:worker_threads';
/**
 * The seam between the executor front (submit, map, close, counting — one implementation
 * for every mode) and what actually runs tasks: the calling thread, a pool of workers, a
 * cluster. A mode is a {@link Runner}; everything users touch is shared.
 */
import type { TaskLike } from '../task/reference.js';
import type { Decision, Mode } from './types.js';

/** One task, as the executor front hands it to a runner. */
export interface TaskRun {
  readonly input: unknown;
  /**
   * Aborted from above (caller's signal, map stopped, close with cancel). The runner
   * aborts it too, with a `TimeoutError`, when the task outlives `timeout`.
   */
  readonly controller: AbortController;
  /** ms from the moment the task starts running; `undefined` for none. */
  readonly timeout: number | undefined;
  readonly priority: number;
  readonly transfer: readonly TransferListItem[] | undefined;
  /** Already throttled and safe to call from anywhere. */
  readonly progress: (value: unknown) => void;
}

/** Live numbers a runner knows and the front does not. */
export interface RunnerLoad {
  readonly workers: number;
  readonly running: number;
  readonly queued: number;
  readonly retried: number;
  readonly utilization: number;
}

export interface Runner<Prepared = unknown> {
  readonly mode: Mode;
  /** Most tasks in flight at once. */
  readonly concurrency: number;
  /** `auto` only: what it decided, once it has. */
  readonly decision?: Decision | undefined;
  /** How many inputs `map` reads ahead of the ones running. */
  readonly mapWindow: number;
  /**
   * Checks and loads a task before any input runs: throws `TaskNotFoundError` for a missing
   * module or export, `TypeError` for a task this mode cannot run (a plain function in a pool).
   */
  prepare(task: TaskLike<never, unknown>): Promise<Prepared>;
  /** Runs one task; settles with its output or a switchyard error. Never throws synchronously. */
  run(task: Prepared, run: TaskRun): Promise<unknown>;
  load(): RunnerLoad;
  /** Releases every resource; called once, after all accepted work has settled. */
  close(): Promise<void>;
}

/**
 * The tasks a pool knows, and how it learns whether one loads: every worker is asked, and
 * the first answer that says something about the task decides. A load that never ends is
 * bounded (see `Pool`).
 */
import { TaskError, type TaskNotFoundError, WorkerCrashedError } from '../../core/errors.js';
import { describeTask, type Task } from '../../core/task.js';
import { fromWire, isSwitchyardWire } from '../../core/wire.js';
import { notLoadedIn } from '../../task/loader.js';
import type { PoolTask } from './job.js';
import type { WorkerSlot } from './slot.js';

/** The task module exports a pool has been asked to run, one handle each. */
export class TaskRegistry implements Iterable<PoolTask> {
  readonly #tasks = new Map<string, PoolTask>();

  /** The handle for a task reference, made on first use. */
  of(ref: Task<unknown, unknown>): PoolTask {
    const key = `${ref.moduleUrl}#${ref.exportName}`;
    let known = this.#tasks.get(key);
    if (!known) {
      const taskId = this.#tasks.size + 1;
      known = { taskId, ref, name: describeTask(ref), inputMs: undefined, loadable: false };
      this.#tasks.set(key, known);
    }
    return known;
  }

  [Symbol.iterator](): IterableIterator<PoolTask> {
    return this.#tasks.values();
  }
}

/** Settles with the first answer that is not a crash; with a crash only if every one is. */
export function firstLoad(slots: readonly WorkerSlot[], task: PoolTask): Promise<void> {
  const answers = slots.map((slot) => loadIn(slot, task));
  return new Promise((resolve, reject) => {
    let crashes = 0;
    for (const answer of answers) {
      answer.then(resolve, (error: unknown) => {
        if (!(error instanceof WorkerCrashedError)) reject(error);
        else if (++crashes === answers.length) reject(error);
      });
    }
  });
}

/** Loads `task` in one worker: resolves once loaded, or rejects with why it did not. */
function loadIn(slot: WorkerSlot, task: PoolTask): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    slot.load(task, (failure) => {
      if (!failure) return resolve();
      if (failure instanceof Error) return reject(failure);
      // The loader's own verdict (TaskNotFoundError, or TaskError for a module that threw
      // while importing) comes back as its class; anything else was the task's.
      const error = fromWire(failure);
      reject(isSwitchyardWire(failure) ? error : new TaskError(error, task.name));
    });
  });
}

/** Why a load that never ended failed (see {@link notLoadedIn}). */
export function loadTimedOut(task: PoolTask, ms: number): TaskNotFoundError {
  return notLoadedIn(task.ref, ms, 'the worker that loaded it was replaced — ');
}

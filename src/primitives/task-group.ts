import { checkSignal } from '../core/checks.js';
import { CancelledError } from '../core/errors.js';
import { abortError, linkedController } from './abort.js';

/** The handle a {@link taskGroup} body uses to start tasks. */
export interface TaskGroup {
  /** Fires when the group is cancelling: a task failed, or the outer signal aborted. */
  readonly signal: AbortSignal;
  /** Starts `work` inside the group; it is given the group's signal. Returns its promise. */
  spawn<T>(work: (signal: AbortSignal) => T | PromiseLike<T>): Promise<T>;
}

/**
 * Structured concurrency (Trio's nursery, asyncio's `TaskGroup`): every task spawned in
 * the body belongs to the group, and the group does not settle before all of them have.
 * The first failure aborts the group's signal, the group waits for the others to settle,
 * then rejects with that failure. Only failures that happened on their own count; the
 * cancellations the group itself caused do not. Several independent failures reject
 * with an `AggregateError`.
 *
 * @returns what the body returned.
 * @example
 * await taskGroup(async (g) => {
 *   for (const url of urls) g.spawn((signal) => fetch(url, { signal }));
 * });
 */
export async function taskGroup<T>(
  body: (group: TaskGroup) => T | PromiseLike<T>,
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  const { controller, unlink } = linkedController(checkSignal(options.signal, 'taskGroup()'));
  const { signal } = controller;
  const running = new Set<Promise<unknown>>();
  const failures: unknown[] = [];
  let open = true;

  const fail = (error: unknown) => {
    const causedByUs = signal.aborted && isCancellation(error);
    if (!causedByUs) failures.push(error);
    if (!signal.aborted)
      controller.abort(
        new CancelledError('cancelled because another task in its group failed', { cause: error }),
      );
  };

  const track = <R>(promise: Promise<R>): Promise<R> => {
    const settled = promise.then(undefined, fail).finally(() => running.delete(settled));
    running.add(settled);
    return promise;
  };

  const group: TaskGroup = {
    signal,
    spawn(work) {
      if (!open)
        throw new Error(
          'taskGroup: spawn() was called after the group finished; spawn from inside the body or a running task',
        );
      let started: Promise<Awaited<ReturnType<typeof work>>>;
      try {
        started = Promise.resolve(work(signal)) as Promise<Awaited<ReturnType<typeof work>>>;
      } catch (error) {
        started = Promise.reject(error);
      }
      return track(started);
    },
  };

  let result: T | undefined;
  try {
    result = await track(Promise.resolve().then(() => body(group)));
  } catch {
    // Recorded by track(); reported below together with the other failures.
  }
  while (running.size > 0) await Promise.all(running);
  open = false;
  unlink();

  if (failures.length === 1) throw failures[0];
  if (failures.length > 1)
    throw new AggregateError(failures, `${failures.length} tasks in the group failed`);
  // The outer signal aborted and every task ended quietly: the group was still cancelled.
  if (signal.aborted) throw abortError(signal);
  return result as T;
}

function isCancellation(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error instanceof CancelledError);
}

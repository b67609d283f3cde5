/**
 * `loop` — cooperative multitasking on the event loop (asyncio's model) — and `sync`, the
 * same runner with room for one task at a time. Tasks switch only at `await`: a task
 * that computes without awaiting holds the thread, and neither its timeout nor a
 * cancellation can interrupt it until it yields. A task that awaits has its `ctx.signal`
 * fired and its promise rejected on time, whether or not it stops, so callers are never
 * kept waiting; one that computed past its timeout is rejected once it returns.
 */
import { asTaskError, QueueFullError, TimeoutError } from '../../core/errors.js';
import type { ChunkOutcome, ChunkRun, Runner, TaskRun } from '../../core/runner.js';
import { describeTask, type TaskContext, type TaskFunction } from '../../core/task.js';
import { abortError, isAborted, onAbort } from '../../primitives/abort.js';
import { Room } from '../../primitives/room.js';
import { Semaphore } from '../../primitives/semaphore.js';
import { isThenable } from '../../primitives/thenable.js';
import { type loadTask, loadTaskWithin } from '../../task/loader.js';

export function eventLoopRunner(
  mode: 'sync' | 'loop',
  concurrency: number,
  maxQueue = Number.POSITIVE_INFINITY,
): Runner<TaskFunction<unknown, unknown>> {
  const slots = new Semaphore(concurrency);
  const room = new Room(
    () => slots.waiting,
    maxQueue,
    () => slots.available > 0,
  );
  const since = performance.eventLoopUtilization();
  let running = 0;
  /**
   * Tasks waiting for a permit, by this runner's own count: the semaphore's drops as it
   * hands a permit over, a promise hop before the task starts, and its line drops a
   * cancelled task before the task's end is reported.
   */
  let waiting = 0;

  /**
   * Runs a task that holds a permit: one promise and no async function, since this is paid
   * per task. Stopped from outside (cancelled, timed out), the promise rejects at once,
   * whether or not the task notices; what the task does later is ignored.
   */
  const runHolding = (
    fn: TaskFunction<unknown, unknown>,
    { input, controller, timeout, progress, ended }: TaskRun,
    release: () => void,
  ): Promise<unknown> =>
    new Promise((resolve, reject) => {
      running++;
      const expire = () => controller.abort(new TimeoutError(timeout!, `task ${describeTask(fn)}`));
      const timer = timeout === undefined ? undefined : setTimeout(expire, timeout);
      const deadline = timeout === undefined ? undefined : performance.now() + timeout;
      let detach: (() => void) | undefined;
      const end = (ok: boolean) => {
        detach?.();
        clearTimeout(timer);
        running--;
        if (ok) ended(1, 0);
        else ended(0, 1);
        release();
        room.check();
      };
      detach = onAbort(controller, (error) => {
        end(false);
        reject(error);
      });
      if (isAborted(controller)) return;
      const fail = (error: unknown) => {
        if (isAborted(controller)) return;
        end(false);
        reject(asTaskError(error, describeTask(fn)));
      };
      let output: unknown;
      try {
        output = fn(input, new CallingThreadContext(controller, progress));
      } catch (error) {
        fail(error);
        return;
      }
      Promise.resolve(output).then((value) => {
        if (isAborted(controller)) return;
        // A task that computed past its deadline without awaiting returns before its timer
        // can fire; it still timed out.
        const late = deadline !== undefined && performance.now() >= deadline;
        end(!late);
        if (late) {
          expire();
          reject(abortError(controller));
        } else resolve(value);
      }, fail);
    });

  return {
    mode,
    concurrency,
    mapWindow: Math.min(concurrency, 1 << 16),
    prepare: (task) =>
      typeof task === 'function'
        ? Promise.resolve(task as TaskFunction<unknown, unknown>)
        : loadTaskWithin(task as Parameters<typeof loadTask>[0]),
    run(fn, task) {
      // A free permit is taken without a promise; only a task that has to wait needs a
      // signal to leave the line by.
      const release = slots.tryAcquire();
      if (release) return runHolding(fn, task, release);
      if (task.refusable && !room.hasRoom()) return Promise.reject(new QueueFullError(maxQueue));
      waiting++;
      return slots.acquireUntil(task.controller, task.priority).then(
        (granted) => {
          waiting--;
          return runHolding(fn, task, granted);
        },
        (error: unknown) => {
          waiting--;
          task.ended(0, 1);
          room.check();
          throw error;
        },
      );
    },
    ready: () => room.ready(),
    load: () => ({
      workers: 0,
      running,
      queued: waiting,
      retried: 0,
      utilization: performance.eventLoopUtilization(since).utilization,
    }),
    close: () => Promise.resolve(),
  };
}

/**
 * Runs a chunk of a map's inputs on the calling thread, started back to back, with one
 * promise for the chunk instead of a promise, a permit and an abort listener per input:
 * for tasks of a few µs, which those would cost more than the task itself (what `auto`
 * does with tiny tasks it keeps on this thread). An input that throws or rejects fails
 * alone; cancelling the chunk rejects all of it at once. There is no timeout here — a map
 * with one sends inputs one at a time through {@link Runner.run} — and no permit: the
 * map's window bounds how many are in flight.
 */
export function runChunkInThread(
  fn: TaskFunction<unknown, unknown>,
  { inputs, controller, progress, ended }: ChunkRun,
): Promise<ChunkOutcome> {
  return new Promise((resolve, reject) => {
    const values: unknown[] = new Array(inputs.length);
    let failures: Map<number, Error> | undefined;
    const fail = (offset: number, error: unknown) => {
      failures ??= new Map();
      failures.set(offset, asTaskError(error, describeTask(fn)));
    };
    // The loop itself counts as one, so that a chunk of synchronous tasks settles once, at its end.
    let left = 1;
    const settled = () => {
      if (--left > 0 || isAborted(controller)) return;
      detach();
      const failed = failures?.size ?? 0;
      ended(inputs.length - failed, failed);
      resolve({ values, failures });
    };
    const detach = onAbort(controller, (error) => {
      ended(0, inputs.length);
      reject(error);
    });
    for (let offset = 0; offset < inputs.length && !isAborted(controller); offset++) {
      let output: unknown;
      try {
        output = fn(
          inputs[offset],
          new CallingThreadContext(controller, (v) => progress(v, offset)),
        );
      } catch (error) {
        fail(offset, error);
        continue;
      }
      if (!isThenable(output)) {
        values[offset] = output;
        continue;
      }
      left++;
      output.then(
        (value) => {
          values[offset] = value;
          settled();
        },
        (error: unknown) => {
          fail(offset, error);
          settled();
        },
      );
    }
    settled();
  });
}

/**
 * `ctx` of a task on the calling thread. A class rather than an object literal: a literal
 * with a getter is built on a slow path that costs more than running a small task.
 */
class CallingThreadContext implements TaskContext {
  readonly workerId = 0;
  readonly #controller: AbortController;
  readonly progress: (value: unknown) => void;

  constructor(controller: AbortController, progress: (value: unknown) => void) {
    this.#controller = controller;
    this.progress = progress;
  }

  /** Made on first read: most tasks never look at their signal. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }
}

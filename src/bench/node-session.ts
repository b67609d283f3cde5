/**
 * One of switchyard's modes as a {@link Session}: its executor created and every worker up
 * (that is the start-up); its warm-up fills every slot with a cheap input — tasks loaded,
 * connections open, the JIT done — so that a timed run measures the job and nothing else.
 *
 * @module
 */
import type { PoolOptions } from '../core/options.js';
import type { Executor, Mode } from '../core/types.js';
import { createExecutor } from '../executor/create.js';
import { sleep } from '../primitives/sleep.js';
import type { Experiment } from './experiments.js';
import { type LocalWorker, startLocalWorker } from './local-worker.js';
import { messageOf, NotAvailable, type Session } from './session.js';
import type { BenchSettings } from './settings.js';

/** Most warm-up tasks sent at once to bring every worker and connection up. */
const MAX_WARMUP = 1_024;
/** Fewest warm-up tasks: enough for the JIT to optimise the task before it is timed. */
const MIN_WARMUP = 8;
/** ms the bench waits for every worker of a pool to be up before it gives up waiting. */
const WORKERS_UP_MS = 30_000;
/**
 * Warm-up rounds after start-up: V8 compiles a function with its optimising tier only
 * after many calls, and a mode whose first timed runs still ran unoptimised code (an HTTP
 * client's parser, say) would look slower than it is.
 */
const JIT_WARMUP_ROUNDS = 10;

/** Starts `mode` for `exp`; throws {@link NotAvailable} when this build or machine lacks it. */
export async function startNodeSession(
  exp: Experiment,
  mode: Mode,
  settings: BenchSettings,
): Promise<Session> {
  const started = performance.now();
  const helper = mode === 'distributed' ? localWorkerFor(exp, settings) : undefined;
  // Work handed to a worker that died would wait for ever: its death ends the measurement.
  const guard = <T>(work: Promise<T>): Promise<T> =>
    helper ? Promise.race([work, helper.failed]) : work;
  let executor: Executor;
  try {
    executor = createExecutor(exp.executorOptions(mode));
  } catch (error) {
    await helper?.stop();
    throw new NotAvailable(`not available: ${messageOf(error)}`);
  }
  const close = async () => {
    await executor.close({ cancel: true }).catch(() => {});
    await helper?.stop();
  };
  try {
    await guard(executor.submit(exp.task, exp.warmups(mode, 1)[0] as never));
    await guard(everyWorkerUp(exp, mode, executor));
    const startupMs = performance.now() - started;
    const warm = async () => {
      await guard(drain(executor.map(exp.task, warmups(exp, mode, executor))));
    };
    for (let round = 0; round < JIT_WARMUP_ROUNDS; round++) await warm();
    const inputs = exp.inputs(mode) as never[];
    return {
      startupMs,
      warm,
      run: () => guard(drain(executor.map(exp.task, inputs))),
      decision: () => {
        const chose = executor.decision;
        return chose ? `${chose.mode}: ${chose.reason}` : undefined;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `distributed` runs on one local `switchyard worker` sized like the `threads` pool. */
function localWorkerFor(exp: Experiment, settings: BenchSettings): LocalWorker {
  const pool = exp.executorOptions('threads') as PoolOptions;
  return startLocalWorker({
    connection: settings.connection!,
    queue: settings.queue,
    tasks: [exp.task.moduleUrl],
    workers: pool.workers,
    tasksPerWorker: pool.tasksPerWorker,
  });
}

/**
 * Returns once every worker of a pool has run a task. A pool starts work on the first
 * worker that has loaded the task, so a first result does not mean the others are up, and
 * a timed run that began with a worker still starting would count its start-up.
 */
async function everyWorkerUp(exp: Experiment, mode: Mode, executor: Executor): Promise<void> {
  const deadline = performance.now() + WORKERS_UP_MS;
  for (;;) {
    const perWorker = executor.stats().pool?.perWorker;
    if (!perWorker || perWorker.every((w) => w.tasks > 0) || performance.now() > deadline) return;
    await drain(executor.map(exp.task, warmups(exp, mode, executor)));
    await sleep(5);
  }
}

/** One warm-up input per slot, so every worker has loaded the task and opened its connections. */
function warmups(exp: Experiment, mode: Mode, executor: Executor): never[] {
  const slots = Math.min(Math.max(executor.stats().concurrency, MIN_WARMUP), MAX_WARMUP);
  return exp.warmups(mode, slots) as never[];
}

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

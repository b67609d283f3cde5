/**
 * `auto`'s worker threads: one single-worker `threads` pool per thread, so that `auto`
 * spreads the tasks over them itself and can change how many each holds at once from one
 * task to the next. (One pool of several workers fills its first worker before it starts
 * the second, and fixes its tasks per worker when it is made.)
 */
import type { ChunkOutcome, ChunkRun, Runner, RunnerLoad, TaskRun } from '../../core/runner.js';
import type { TaskLike } from '../../core/task.js';
import { totalCpuMs } from '../../primitives/proc-stat.js';

/** Why a take failed when {@link WorkerThreads.abandon} stopped its workers. */
const STOPPED = 'the worker threads were stopped while starting';

export class WorkerThreads {
  readonly #create: () => Runner;
  readonly #count: number;
  #runners: Runner[] | undefined;
  /** Takes begun on the current workers, and whether one of them finished. */
  #takes = 0;
  #taken = false;
  /**
   * Workers being stopped by {@link abandon}, and their closing: closing waits for them
   * too, and until they end their CPU counts in {@link cpuMs} (an isolate still booting
   * runs on for tens of ms).
   */
  readonly #stopping = new Map<Runner, Promise<void>>();
  /** ms of CPU that stopped workers had used when they ended. */
  #endedCpuMs = 0;
  #closed = false;

  /** `create` makes a `threads` runner of one worker. */
  constructor(count: number, create: () => Runner) {
    this.#count = count;
    this.#create = create;
  }

  /** Loads `task` on every worker (starting them); rejects if one cannot. */
  async take(task: TaskLike<never, unknown>): Promise<TaskOnWorkers> {
    this.#runners ??= Array.from({ length: this.#count }, () => this.#create());
    const runners = this.#runners;
    this.#takes++;
    const stopped = () => runners !== this.#runners;
    const prepared = await Promise.all(runners.map((runner) => runner.prepare(task))).catch(
      (error: unknown) => {
        throw stopped() ? new Error(STOPPED) : error;
      },
    );
    if (stopped()) throw new Error(STOPPED);
    this.#taken = true;
    return new TaskOnWorkers(runners, prepared);
  }

  /**
   * Stops the workers while they still start for a single take, which then rejects; the
   * next take starts new ones. Starting takes a CPU each for a few hundred ms, which the
   * calling thread could use when the move they were begun for no longer looks likely.
   * Resolves once they have ended (an isolate still booting runs on for tens of ms);
   * `undefined`, stopping nothing, once a take finished or when another task is waiting
   * for the same workers.
   */
  abandon(): Promise<void> | undefined {
    if (!this.#runners || this.#taken || this.#takes !== 1) return undefined;
    const ended = this.#runners.map((runner) => this.#stop(runner));
    this.#runners = undefined;
    this.#takes = 0;
    return Promise.all(ended).then(
      () => {},
      () => {},
    );
  }

  /** The workers started and loaded a task: another loads on them without starting them again. */
  get running(): boolean {
    return this.#taken;
  }

  /** The workers' numbers, summed; `undefined` before any was started. */
  load(): RunnerLoad | undefined {
    if (!this.#runners) return undefined;
    const loads = this.#runners.map((r) => r.load());
    const total = (key: 'workers' | 'running' | 'queued' | 'retried' | 'utilization') =>
      loads.reduce((sum, load) => sum + load[key], 0);
    return {
      workers: total('workers'),
      running: total('running'),
      queued: total('queued'),
      retried: total('retried'),
      utilization: total('utilization') / loads.length,
    };
  }

  /**
   * ms of CPU the workers have used so far (0 before any was started), those being
   * stopped included, or `undefined` where the system does not say; only differences mean
   * anything.
   */
  cpuMs(): number | undefined {
    const runners = [...(this.#runners ?? []), ...this.#stopping.keys()];
    const total = totalCpuMs(runners.map((runner) => runner.cpuMs?.()));
    return total === undefined ? undefined : total + this.#endedCpuMs;
  }

  #stop(runner: Runner): Promise<void> {
    const closing = runner.close().finally(() => {
      this.#stopping.delete(runner);
      // A closed runner still counts what its workers used (one that never said, nothing).
      this.#endedCpuMs += runner.cpuMs?.() ?? 0;
    });
    this.#stopping.set(runner, closing);
    return closing;
  }

  /** Set once closing began: a task that failed to load since then failed for that reason. */
  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...(this.#runners ?? []).map((r) => r.close()), ...this.#stopping.values()]);
  }
}

/** One task, loaded on every worker: where its next run goes, and what each holds. */
export class TaskOnWorkers {
  readonly #runners: readonly Runner[];
  readonly #prepared: readonly unknown[];
  /** Runs of this task each worker holds (reserved or running). */
  readonly #held: number[];

  constructor(runners: readonly Runner[], prepared: readonly unknown[]) {
    this.#runners = runners;
    this.#prepared = prepared;
    this.#held = runners.map(() => 0);
  }

  /** The worker holding the fewest runs, if that is fewer than `most`; reserves a place there. */
  reserve(most: number): number | undefined {
    let best = -1;
    for (let w = 0; w < this.#held.length; w++) {
      if (this.#held[w]! < most && (best < 0 || this.#held[w]! < this.#held[best]!)) best = w;
    }
    if (best < 0) return undefined;
    this.#held[best]!++;
    return best;
  }

  release(worker: number): void {
    this.#held[worker]!--;
  }

  run(worker: number, run: TaskRun): Promise<unknown> {
    return this.#runners[worker]!.run(this.#prepared[worker], run);
  }

  runChunk(worker: number, chunk: ChunkRun): Promise<ChunkOutcome> {
    return this.#runners[worker]!.runChunk!(this.#prepared[worker], chunk);
  }

  chunkSize(timeout: number | undefined): number {
    return this.#runners[0]!.chunkSize?.(this.#prepared[0], timeout) ?? 1;
  }
}

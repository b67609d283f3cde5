/**
 * `auto` — chosen by measurement. The first runs of each task are a sample, run in the
 * calling thread and timed (see `profile/sampler.ts`); from the numbers `profile/classify.ts`
 * decides the mode and its sizes, and every later run goes to a runner of that mode. The
 * sample's results are the caller's results, so no input runs twice.
 */
import { toError } from '../../core/errors.js';
import type { AutoOptions, ExecutorOptions } from '../../core/options.js';
import type {
  ChunkOutcome,
  ChunkRun,
  ReadAhead,
  Runner,
  RunnerLoad,
  TaskRun,
} from '../../core/runner.js';
import type { Task, TaskFunction, TaskLike } from '../../core/task.js';
import type { Mode } from '../../core/types.js';
import { Semaphore } from '../../primitives/semaphore.js';
import { loadTask } from '../../task/loader.js';
import { eventLoopRunner, runChunkInThread } from '../loop/loop.js';
import { type AutoDecision, decide, decisionContext } from './classify.js';
import { DEFAULT_PLAN, NOT_SAMPLED, Sampler } from './sampler.js';
import { PROFILING_READ_AHEAD } from './thresholds.js';

/** Makes the runner of a fixed mode (the same factory `createExecutor` uses). */
export type RunnerFactory = (options: ExecutorOptions) => Runner;

/** One task as `auto` knows it: its sample and, once decided, where the rest runs. */
export interface Profiled {
  readonly task: TaskLike<never, unknown>;
  readonly fn: TaskFunction<unknown, unknown>;
  readonly sampler: Sampler;
  /** Made as soon as the sample is complete, even when no input is left for the chosen mode. */
  decision?: AutoDecision;
  chosen?: Promise<Chosen>;
  /** Set once `chosen` has resolved, so that later runs go straight through. */
  direct?: Chosen;
}

interface Chosen {
  readonly runner: Runner;
  readonly prepared: unknown;
  /** Set when the tasks stay on this thread and are so short that `map` starts them in chunks. */
  readonly chunkSize?: number | undefined;
}

export class AutoRunner implements Runner<Profiled> {
  readonly mode = 'auto';
  readonly #options: AutoOptions;
  readonly #createRunner: RunnerFactory;
  readonly #available: readonly Mode[];
  /** Samples run here, overlapped as the sampler admits them. */
  readonly #inThread = eventLoopRunner('loop', Number.POSITIVE_INFINITY);
  readonly #profiles = new Map<unknown, Promise<Profiled>>();
  /** Every task loaded so far, for counting the runs waiting on their samples. */
  readonly #known: Profiled[] = [];
  /** One runner per distinct decided configuration, shared by the tasks that chose it. */
  readonly #runners = new Map<string, Runner>();
  /** A `concurrency` the user set holds across sampling and the chosen mode alike. */
  readonly #limit: Semaphore | undefined;
  #decision: AutoDecision | undefined;
  #current: Runner | undefined;

  constructor(options: AutoOptions, createRunner: RunnerFactory, available: readonly Mode[]) {
    this.#options = options;
    this.#createRunner = createRunner;
    this.#available = available;
    this.#limit =
      options.concurrency === undefined ? undefined : new Semaphore(options.concurrency);
  }

  /** The latest decision (each task gets its own on first use). */
  get decision(): AutoDecision | undefined {
    return this.#decision;
  }

  get concurrency(): number {
    return this.#current?.concurrency ?? Math.max(1, ...DEFAULT_PLAN.overlapped);
  }

  get mapWindow(): number {
    return this.#current?.mapWindow ?? PROFILING_READ_AHEAD;
  }

  /**
   * Until the task's sample is in, only what the sample can use: every input read before
   * the decision takes the slower way of an offer to the sampler, and that CPU time would
   * land in the measurements of the samples running meanwhile (reading a whole window
   * ahead cost ~16 ms of a fresh process's CPU during the first 20 ms timer wait, which
   * then looked 80% busy).
   */
  readAhead({ sampler }: Profiled): ReadAhead {
    return { limit: () => sampler.wanted, lifted: sampler.complete };
  }

  prepare(task: TaskLike<never, unknown>): Promise<Profiled> {
    const key = typeof task === 'function' ? task : `${task.moduleUrl}#${task.exportName}`;
    let profiled = this.#profiles.get(key);
    if (!profiled) {
      profiled = this.#load(task);
      this.#profiles.set(key, profiled);
      profiled.catch(() => this.#profiles.delete(key));
    }
    return profiled;
  }

  run(profiled: Profiled, run: TaskRun): Promise<unknown> {
    // The common case after the sample: no gate and no extra promise per task.
    const { direct } = profiled;
    if (direct && !this.#limit) return direct.runner.run(direct.prepared, run);
    return this.#runGated(profiled, run);
  }

  /** Under the user's `concurrency`, if any: as a sample, or once decided, in the chosen mode. */
  async #runGated(profiled: Profiled, run: TaskRun): Promise<unknown> {
    const release = await this.#limit?.acquire({ signal: run.controller.signal });
    try {
      return await this.#sampleOrForward(profiled, run);
    } finally {
      release?.();
    }
  }

  async #sampleOrForward(profiled: Profiled, run: TaskRun): Promise<unknown> {
    const sampled = await profiled.sampler.offer(
      () => this.#inThread.run(profiled.fn, run),
      run.controller,
    );
    if (sampled !== NOT_SAMPLED) return sampled;
    const { runner, prepared } = await this.#chosen(profiled);
    return runner.run(prepared, run);
  }

  /**
   * `map` always comes here in chunks, since whether the chosen mode takes chunks is only
   * known once the sample is in. Until then, and in a mode without chunks, a chunk is one
   * input (see {@link chunkSize}) run as {@link run} would; once a chunking mode (chunked
   * `threads` for tiny tasks) is chosen, chunks go to it whole, and tiny tasks kept on
   * this thread are started a chunk at a time here.
   */
  runChunk(profiled: Profiled, chunk: ChunkRun): Promise<ChunkOutcome> {
    const { direct } = profiled;
    if (direct && !this.#limit) {
      if (direct.runner.runChunk) return direct.runner.runChunk(direct.prepared, chunk);
      if (direct.chunkSize && chunk.timeout === undefined)
        return runChunkInThread(profiled.fn, chunk);
    }
    const { inputs, controller, timeout, progress } = chunk;
    return runEach(inputs.length, (offset) =>
      this.run(profiled, {
        input: inputs[offset],
        controller,
        timeout,
        priority: 0,
        transfer: undefined,
        progress: (value) => progress(value, offset),
      }),
    );
  }

  /** The chosen mode's chunk size once it has decided on one that takes chunks; else 1. */
  chunkSize(profiled: Profiled, timeout: number | undefined): number {
    const { direct } = profiled;
    if (!direct || this.#limit) return 1;
    if (direct.runner.chunkSize) return direct.runner.chunkSize(direct.prepared, timeout);
    // A timeout is per task, and only `run` keeps one for each.
    return timeout === undefined ? (direct.chunkSize ?? 1) : 1;
  }

  load(): RunnerLoad {
    const loads = [this.#inThread, ...this.#runners.values()].map((r) => r.load());
    const total = (key: keyof Omit<RunnerLoad, 'pool'>) =>
      loads.reduce((sum, load) => sum + (load[key] as number), 0);
    return {
      workers: total('workers'),
      running: total('running'),
      queued: total('queued') + (this.#limit?.waiting ?? 0) + this.#waitingForSample(),
      retried: total('retried'),
      utilization: (this.#current ?? this.#inThread).load().utilization,
    };
  }

  #waitingForSample(): number {
    let waiting = 0;
    for (const profiled of this.#known) waiting += profiled.sampler.waiting;
    return waiting;
  }

  async close(): Promise<void> {
    await Promise.all([this.#inThread, ...this.#runners.values()].map((r) => r.close()));
  }

  async #load(task: TaskLike<never, unknown>): Promise<Profiled> {
    const fn =
      typeof task === 'function'
        ? (task as TaskFunction<unknown, unknown>)
        : await loadTask(task as Task<unknown, unknown>);
    const profiled: Profiled = { task, fn, sampler: new Sampler(DEFAULT_PLAN) };
    this.#known.push(profiled);
    void profiled.sampler.complete.then(() => this.#decide(profiled));
    return profiled;
  }

  #decide(profiled: Profiled): AutoDecision {
    if (!profiled.decision) {
      profiled.decision = decide(
        profiled.sampler.measurements(),
        decisionContext(profiled.task, this.#available, this.#options.workers),
      );
      this.#decision = profiled.decision;
    }
    return profiled.decision;
  }

  #chosen(profiled: Profiled): NonNullable<Profiled['chosen']> {
    profiled.chosen ??= this.#choose(profiled);
    return profiled.chosen;
  }

  async #choose(profiled: Profiled): Promise<Chosen> {
    const decision = this.#decide(profiled);
    const { mode: _auto, ...rest } = this.#options;
    // What the user set explicitly wins over what was measured.
    const options = {
      concurrency: decision.concurrency,
      ...(decision.workers === undefined ? {} : { workers: decision.workers }),
      ...(decision.tasksPerWorker === undefined ? {} : { tasksPerWorker: decision.tasksPerWorker }),
      ...rest,
      mode: decision.mode,
    } as ExecutorOptions;
    const key = JSON.stringify(options);
    let runner = this.#runners.get(key);
    if (!runner) {
      runner = this.#createRunner(options);
      this.#runners.set(key, runner);
    }
    this.#current = runner;
    profiled.direct = {
      runner,
      prepared: await runner.prepare(profiled.task),
      chunkSize: decision.chunkSize,
    };
    return profiled.direct;
  }
}

/**
 * Runs `count` inputs one by one through `start` and gathers them as one chunk's outcome:
 * each input that fails does so on its own.
 */
function runEach(
  count: number,
  start: (offset: number) => Promise<unknown>,
): Promise<ChunkOutcome> {
  const values: unknown[] = new Array(count);
  // Made on the first failure: most chunks here are one input that succeeds.
  let failures: Map<number, Error> | undefined;
  let left = count;
  if (count === 0) return Promise.resolve({ values });
  return new Promise((resolve) => {
    const settled = () => {
      if (--left === 0) resolve({ values, failures });
    };
    for (let offset = 0; offset < count; offset++) {
      start(offset).then(
        (value) => {
          values[offset] = value;
          settled();
        },
        (error: unknown) => {
          failures ??= new Map();
          failures.set(offset, toError(error));
          settled();
        },
      );
    }
  });
}

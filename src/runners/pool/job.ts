/**
 * A job — one unit of dispatch: one input of `submit`, or a chunk of a `map` — and how it
 * is settled. A job answers its caller exactly once: with its outputs (and the inputs that
 * failed on their own), or with one error for all of it. Inputs that fail on their own
 * before it finishes (they crashed a worker, or could not be sent) are taken out of it and
 * kept for its answer, and the rest run again without them.
 */
import type { TransferListItem } from 'node:worker_threads';
import { SerializationError, TaskError } from '../../core/errors.js';
import type { Ended } from '../../core/runner.js';
import type { Task } from '../../core/task.js';
import { findUnsendable } from '../../core/unsendable.js';
import { fromWire } from '../../core/wire.js';
import type { FifoNode } from '../../primitives/fifo.js';
import type { DoneMessage, Watch } from './protocol.js';
import type { WorkerSlot } from './slot.js';

/** A task module export known to the pool. */
export interface PoolTask {
  readonly taskId: number;
  readonly ref: Task<unknown, unknown>;
  readonly name: string;
  /** Average ms one input of this task runs, measured in the workers; what adaptive chunking is sized from. */
  inputMs: number | undefined;
  /** Some worker has loaded it: a new worker loads it before taking work (see `WorkerSlot`). */
  loadable: boolean;
}

/** What a job gives back: outputs by offset, and the inputs that failed on their own. */
export interface JobOutcome {
  readonly values: readonly unknown[];
  readonly failures?: ReadonlyMap<number, Error> | undefined;
}

/** What a caller asks the pool to run. */
export interface JobRequest {
  readonly task: PoolTask;
  readonly inputs: readonly unknown[];
  /** Aborted from outside: the caller's signal, its map stopping, the executor closing. */
  readonly controller: AbortController;
  /** ms the job may run, from when its worker starts it. */
  readonly timeout: number | undefined;
  readonly priority: number;
  readonly transfer?: readonly TransferListItem[] | undefined;
  readonly progress: (value: unknown, offset: number) => void;
  /** A `submit`: refused past `maxQueue` rather than queued. */
  readonly refusable?: boolean | undefined;
  /** Told how its inputs ended as it answers its caller (see {@link Ended}). */
  readonly ended?: Ended | undefined;
}

/**
 * `queued`: in the pool's line. `sent`: given to a worker that has not started it (it holds
 * it behind the jobs it runs). `running`: the worker runs it, as far as the pool knows.
 */
export type JobState = 'queued' | 'sent' | 'running' | 'done';

export class Job {
  readonly id: number;
  readonly task: PoolTask;
  /** Shrinks when an input fails on its own: the rest run again without it. */
  inputs: readonly unknown[];
  /** Inputs it was asked to run: all of them count as running or queued until it answers. */
  readonly size: number;
  readonly controller: AbortController;
  readonly timeout: number | undefined;
  readonly priority: number;
  readonly transfer: readonly TransferListItem[] | undefined;
  readonly progress: (value: unknown, offset: number) => void;
  /** Answered like a plain task: its output, or its one failure as a rejection (`runOne`). */
  readonly single: boolean;
  readonly queuedAt: number;
  state: JobState = 'queued';
  /** The caller has its answer (a cancelled job may still be running in its worker). */
  answered = false;
  /** Times it was run again after a crash it was blamed for (`retries`). */
  attempts = 0;
  /**
   * Run input by input, each start announced, because a worker died in it and the pool
   * could not tell which input killed it (see `blame.ts`).
   */
  traced = false;
  /** The offset of the input its worker last announced starting, while it is watched. */
  at: number | undefined = undefined;
  /** Its place in the pool's line, while it waits there. */
  place: FifoNode<Job> | undefined = undefined;
  /** The worker it was given to, once it leaves the pool's line. */
  slot: WorkerSlot | undefined = undefined;
  /** Its place among the jobs its worker holds, while it is held. */
  heldAt: FifoNode<Job> | undefined = undefined;
  /** The timeout clock, or the grace a cancelled job has to end. */
  timer: NodeJS.Timeout | undefined = undefined;
  /** `origin[i]`: where `inputs[i]` was in the job as asked for; `undefined` while unchanged. */
  #origin: number[] | undefined = undefined;
  /** Inputs taken out because they failed on their own, by original offset. */
  #failed: Map<number, Error> | undefined = undefined;
  readonly #resolve: (answer: unknown) => void;
  readonly #reject: (error: Error) => void;
  readonly #ended: Ended | undefined;

  constructor(
    id: number,
    request: JobRequest,
    single: boolean,
    resolve: (answer: unknown) => void,
    reject: (error: Error) => void,
  ) {
    this.id = id;
    this.task = request.task;
    this.inputs = request.inputs;
    this.size = request.inputs.length;
    this.controller = request.controller;
    this.timeout = request.timeout;
    this.priority = request.priority;
    this.transfer = request.transfer;
    this.progress = request.progress;
    this.single = single;
    this.queuedAt = performance.now();
    this.#resolve = resolve;
    this.#reject = reject;
    this.#ended = request.ended;
  }

  /** What its worker is asked to announce: see {@link Watch}. */
  get watch(): Watch | undefined {
    return this.traced ? 'inputs' : this.timeout === undefined ? undefined : 'start';
  }

  /** Where the input at `offset` of the current inputs was in the job as asked for. */
  originOf(offset: number): number {
    return this.#origin ? this.#origin[offset]! : offset;
  }

  /**
   * Part of its input was moved to the worker it was sent to (`transfer`), not copied: it
   * went with that worker, and the job cannot be sent again.
   */
  get moved(): boolean {
    return (this.transfer?.length ?? 0) > 0;
  }

  /**
   * Answers the caller with `error`, once; the job may still be winding down in a worker,
   * but its inputs no longer count as running or queued: they have failed.
   */
  fail(error: Error): void {
    if (this.answered) return;
    this.answered = true;
    clearTimeout(this.timer);
    this.#ended?.(0, this.size);
    this.#reject(error);
  }

  /** Answers the caller with the worker's answer to the current inputs. */
  finish(done: DoneMessage): void {
    this.#settle(done.values, this.#failuresIn(done));
  }

  /**
   * Takes inputs that failed on their own out of the job (by offset in its current inputs),
   * keeping their errors for its answer. Answers the job when none are left, and says so.
   */
  drop(failures: ReadonlyMap<number, Error>): 'answered' | 'left' {
    const origin = this.#origin ?? this.inputs.map((_, i) => i);
    this.#failed ??= new Map();
    for (const [offset, error] of failures) this.#failed.set(origin[offset]!, error);
    this.#origin = origin.filter((_, i) => !failures.has(i));
    this.inputs = this.inputs.filter((_, i) => !failures.has(i));
    if (this.inputs.length > 0) return 'left';
    this.#settle([], undefined);
    return 'answered';
  }

  /** Answers with outputs by offset in the current inputs, put back in their original places. */
  #settle(values: readonly unknown[], failures: Map<number, Error> | undefined): void {
    if (this.answered) return;
    this.answered = true;
    clearTimeout(this.timer);
    const origin = this.#origin;
    if (!origin) {
      this.#deliver(values, failures);
      return;
    }
    const placed: unknown[] = [];
    const all = new Map(this.#failed);
    origin.forEach((original, offset) => {
      placed[original] = values[offset];
    });
    for (const [offset, error] of failures ?? []) all.set(origin[offset]!, error);
    this.#deliver(placed, all);
  }

  #deliver(values: readonly unknown[], failures: ReadonlyMap<number, Error> | undefined): void {
    const failed = failures?.size ?? 0;
    this.#ended?.(this.size - failed, failed);
    if (!this.single) this.#resolve({ values, failures });
    else if (failures?.has(0)) this.#reject(failures.get(0)!);
    else this.#resolve(values[0]);
  }

  /** Failures reported in `done`, by offset in the current inputs. */
  #failuresIn(done: DoneMessage): Map<number, Error> | undefined {
    if (!done.failures) return undefined;
    const failures = new Map<number, Error>();
    for (const { offset, error, unsendable } of done.failures) {
      failures.set(
        offset,
        unsendable
          ? new SerializationError(unsendable.path, unsendable.problem)
          : new TaskError(fromWire(error), this.task.name),
      );
    }
    return failures;
  }
}

/** The inputs that cannot be sent, each failing on its own; all of them, if none can be named. */
export function unsendableInputs(inputs: readonly unknown[], error: unknown): Map<number, Error> {
  const unsendable = new Map<number, Error>();
  inputs.forEach((input, offset) => {
    const bad = findUnsendable(input, 'input');
    if (bad) unsendable.set(offset, new SerializationError(bad.path, bad.problem));
  });
  if (unsendable.size > 0) return unsendable;
  const failure = new SerializationError(
    'input',
    `cannot be sent to a worker (${(error as Error).message})`,
    { cause: error },
  );
  for (let i = 0; i < inputs.length; i++) unsendable.set(i, failure);
  return unsendable;
}

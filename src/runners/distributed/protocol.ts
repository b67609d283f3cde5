/**
 * What travels through Redis between a distributed executor and `switchyard worker`: one
 * BullMQ job per chunk of inputs, outcomes streamed back as the chunk's inputs settle (as
 * job progress), and one result per job carrying the outcomes not streamed yet.
 * Inputs and outputs are structured-cloned (`v8.serialize`, the same data the local pools
 * accept: bigint, Map, Date, typed arrays…) and sent as base64; errors cross in the one wire
 * form of `core/wire.ts` and are rebuilt as switchyard's own classes on the other side.
 *
 * Nothing in a job is trusted by the worker: {@link readChunkJob} checks every field
 * before use, and a task is named only by its module's name and export name (see
 * `task-name.ts`) — never code.
 */
import { builtin } from '../../core/builtins.js';
import { SerializationError } from '../../core/errors.js';
import type { Settled } from '../../core/types.js';
import { findUnsendable } from '../../core/unsendable.js';
import { toWire, type WireError } from '../../core/wire.js';

const v8 = builtin<typeof import('node:v8')>('node:v8');

/** Bumped when the job, progress or result shape changes; a worker refuses jobs of another version. */
export const PROTOCOL_VERSION = 3;

/** The Redis pub/sub channel on which executors ask workers to abort a job's tasks (message: the job id). */
export function cancelChannel(queue: string): string {
  return `switchyard:${queue}:cancel`;
}

/** The Redis set of the names of the workers serving `queue` (see `distributed-worker/registry.ts`). */
export function workersKey(queue: string): string {
  return `switchyard:${queue}:workers`;
}

/** The Redis key, expiring unless renewed, holding what one worker serves: a {@link WorkerCard}. */
export function workerKey(queue: string, worker: string): string {
  return `switchyard:${queue}:worker:${worker}`;
}

/** What a worker tells the others it serves, as JSON under {@link workerKey}. */
export interface WorkerCard {
  /** Task names (`module#export`) it runs. */
  readonly tasks: readonly string[];
}

/** Most inputs one job may carry. */
export const MAX_CHUNK = 4_096;

/** The data of one BullMQ job: a chunk of inputs for one task. */
export interface ChunkJob {
  readonly v: typeof PROTOCOL_VERSION;
  /** The task module's name: its package and its path inside it, or its URL (`task-name.ts`). */
  readonly module: string;
  readonly export: string;
  /** base64 of `v8.serialize(inputs[])`. */
  readonly inputs: string;
  readonly count: number;
  /** ms per input, enforced by the worker's local pool; absent for none. */
  readonly timeout?: number;
  /**
   * Outcomes settled by an earlier attempt that a crash cut short, as {@link encodeOutcomes}
   * of one entry per input, `undefined` for those still to run.
   */
  readonly done?: string;
}

/** The return value of one job. */
export interface ChunkResult {
  readonly v: typeof PROTOCOL_VERSION;
  /**
   * base64 of `v8.serialize` of one {@link Outcome} per input, in input order — those already
   * sent as job progress ({@link JobProgress}) too: progress travels only on the event
   * stream, which Redis trims, so the result alone must tell the whole chunk.
   */
  readonly outcomes: string;
  /** Wall time the worker spent on the chunk, for the executor's chunk sizing. */
  readonly ms: number;
  /** 1 for the first attempt; more after crash retries. */
  readonly attempt: number;
}

/**
 * The data of a job progress event: a task's `ctx.progress(value)` report for the input at
 * `index`, or `outcomes` settled while the rest of the chunk still runs, as
 * {@link encodeOutcomes} of one entry per input, `undefined` for those not in this batch.
 */
export type JobProgress =
  | { readonly index: number; readonly value: unknown }
  | { readonly outcomes: string };

/** One input's outcome on the wire. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: WireError };

/**
 * Serializes a chunk's inputs, or names the first one that cannot travel: the
 * `SerializationError` for each input (`undefined` for those that can) when any cannot.
 */
export function encodeInputs(
  inputs: readonly unknown[],
): string | (SerializationError | undefined)[] {
  try {
    return v8().serialize(inputs).toString('base64');
  } catch (error) {
    return inputs.map((input) => {
      const bad = findUnsendable(input, 'input');
      return bad ? new SerializationError(bad.path, bad.problem) : cloneFails(input, error);
    });
  }
}

/** Serializes outcomes; an output that cannot be cloned becomes that input's `SerializationError`. */
export function encodeOutcomes(outcomes: readonly (Outcome | undefined)[]): string {
  try {
    return v8().serialize(outcomes).toString('base64');
  } catch {
    return v8()
      .serialize(
        outcomes.map((outcome) => {
          const bad = outcome?.ok ? findUnsendable(outcome.value, 'output') : undefined;
          return bad ? failure(new SerializationError(bad.path, bad.problem)) : outcome;
        }),
      )
      .toString('base64');
  }
}

export function decodeArray(base64: string, what: string): unknown[] {
  const value: unknown = v8().deserialize(Buffer.from(base64, 'base64'));
  if (!Array.isArray(value)) throw new TypeError(`${what} is not an array`);
  return value;
}

/** Turns a settled local run into its wire outcome. */
export function toOutcome(settled: Settled<unknown>): Outcome {
  return settled.ok ? { ok: true, value: settled.value } : failure(settled.error);
}

export function failure(error: Error): Outcome {
  return { ok: false, error: toWire(error) };
}

/** A job's data after {@link readChunkJob}, with its inputs decoded. */
export type CheckedJob = ChunkJob & { readonly values: unknown[] };

/**
 * Checks a job's data field by field before the worker uses any of it. Throws a
 * `TypeError` that names the bad field; the worker fails such a job without running it.
 */
export function readChunkJob(data: unknown): CheckedJob {
  const bad = (field: string, expected: string): never => {
    throw new TypeError(`invalid switchyard job: '${field}' must be ${expected}`);
  };
  if (typeof data !== 'object' || data === null) return bad('data', 'an object');
  const job = data as Record<string, unknown>;
  if (job.v !== PROTOCOL_VERSION) {
    bad('v', `${PROTOCOL_VERSION} (the executor and the worker run different switchyard versions)`);
  }
  if (typeof job.module !== 'string' || job.module.length === 0) bad('module', 'a module name');
  if (typeof job.export !== 'string' || job.export.length === 0) bad('export', 'an export name');
  const count = job.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_CHUNK) {
    bad('count', `an integer in [1, ${MAX_CHUNK}]`);
  }
  const { timeout } = job;
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)
  ) {
    bad('timeout', 'a number of milliseconds > 0');
  }
  if (typeof job.inputs !== 'string') bad('inputs', 'a base64 string');
  if (job.done !== undefined && typeof job.done !== 'string') bad('done', 'a base64 string');
  let values: unknown[] = [];
  try {
    values = decodeArray(job.inputs as string, 'inputs');
  } catch {
    bad('inputs', 'structured-clone data (v8.serialize) of an array');
  }
  if (values.length !== count) bad('inputs', `an array of 'count' (${String(count)}) inputs`);
  return { ...(job as unknown as ChunkJob), values };
}

/** A value the walk found nothing wrong in that still did not clone: blame the platform's reason. */
function cloneFails(input: unknown, error: unknown): SerializationError | undefined {
  try {
    v8().serialize(input);
    return undefined;
  } catch {
    return new SerializationError('input', `cannot be cloned (${(error as Error).message})`);
  }
}

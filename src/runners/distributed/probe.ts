/**
 * What Redis itself says about jobs, read without the event stream: the fields of each
 * job's hash that BullMQ's `Job.fromId` would read, but not the job's data (its inputs,
 * which can be large), for many jobs in one round trip.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export type JobStatus =
  /**
   * No such job: never added, removed, or lost by Redis. `runId` is the `run_id` of the Redis
   * that said so, to tell a Redis restarted since the job was added.
   */
  | { readonly state: 'missing'; readonly runId: string }
  /** Waiting, delayed, or running on a worker. */
  | { readonly state: 'pending' }
  /** Finished; `result` is its return value (`undefined` if unreadable). */
  | { readonly state: 'completed'; readonly result: unknown }
  /** Failed for good (no attempts left). */
  | { readonly state: 'failed'; readonly reason: string };

/** BullMQ's job hash fields, in the order {@link statusOf} takes them. */
const FIELDS = ['timestamp', 'finishedOn', 'returnvalue', 'failedReason'] as const;

/** The status of each job of `ids`, in order. Rejects if Redis does. */
export async function probeJobs(
  client: Redis,
  queue: Queue,
  ids: readonly string[],
): Promise<JobStatus[]> {
  // Asked in the same round trip, so it names the very Redis that answers for the jobs.
  const pipeline = client.pipeline().info('server');
  for (const id of ids) pipeline.hmget(queue.toKey(id), ...FIELDS);
  const [info, ...replies] = (await pipeline.exec()) ?? [];
  if (info?.[0]) throw info[0];
  const runId = runIdOf(info?.[1] as string);
  return replies.map(([error, fields]) => {
    if (error) throw error;
    return statusOf(fields as (string | null)[], runId);
  });
}

/** The `run_id` in the reply to `INFO server`: new each time Redis starts. */
export function runIdOf(info: string): string {
  return /^run_id:(\S+)/m.exec(info)?.[1] ?? 'unknown';
}

/**
 * Reads a job's state from its hash fields: every job has a `timestamp`; a finished one a
 * `finishedOn`, with a `returnvalue` if it completed. A job that failed once and then
 * completed on a retry keeps its old `failedReason`, so the return value decides.
 */
export function statusOf(
  [timestamp, finishedOn, returnvalue, failedReason]: readonly (string | null | undefined)[],
  runId: string,
): JobStatus {
  if (timestamp == null) return { state: 'missing', runId };
  if (finishedOn == null) return { state: 'pending' };
  if (returnvalue != null) return { state: 'completed', result: parse(returnvalue) };
  return { state: 'failed', reason: failedReason ?? 'no reason recorded' };
}

function parse(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** A pool transport the test drives by hand: it records what the pool sends, and the test answers. */

import { unpackRuns } from '../../../src/runners/pool/pack.js';
import { Pool, type PoolOptions, type PoolTask } from '../../../src/runners/pool/pool.js';
import type { RunMessage, ToWorker } from '../../../src/runners/pool/protocol.js';
import type { TransportEvents, TransportSpec } from '../../../src/runners/pool/transport.js';

export interface ScriptedWorker {
  readonly events: TransportEvents;
  readonly sent: ToWorker[];
  held: boolean;
  terminated: boolean;
}

export function scripted(): { spec: TransportSpec; workers: ScriptedWorker[] } {
  const workers: ScriptedWorker[] = [];
  const spec: TransportSpec = {
    name: 'thread',
    spawn(_settings, events) {
      // Like a real thread or child process, a new worker holds the process open.
      const worker: ScriptedWorker = { events, sent: [], held: true, terminated: false };
      workers.push(worker);
      return {
        send: (batch) => worker.sent.push(...unpackRuns(batch)),
        keepAlive: (busy) => {
          worker.held = busy;
        },
        terminate: () => {
          worker.terminated = true;
        },
      };
    },
  };
  return { spec, workers };
}

export const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Plain pool options over `transport`: one worker, one task each, no limits; `options` override. */
export function poolOptions(
  transport: TransportSpec,
  options: Partial<PoolOptions> = {},
): PoolOptions {
  return {
    transport,
    workers: 1,
    minWorkers: 1,
    tasksPerWorker: 1,
    idleTimeout: 60_000,
    maxTasksPerWorker: Number.POSITIVE_INFINITY,
    retries: 0,
    maxQueue: Number.POSITIVE_INFINITY,
    grace: 500,
    loadTimeout: 60_000,
    ...options,
  };
}

/** A pool over a scripted `spec` with {@link poolOptions}. */
export function scriptedPool(spec: TransportSpec, options: Partial<PoolOptions> = {}): Pool {
  return new Pool(poolOptions(spec, options));
}

/** Closes a scripted pool: every worker it stops is let exit. */
export async function closeAll(pool: Pool, workers: readonly ScriptedWorker[]): Promise<void> {
  const closed = pool.close();
  await tick();
  for (const worker of workers) worker.events.exit({ exitCode: 0 });
  await closed;
}

/** The run messages `worker` has been sent. */
export const runs = (worker: ScriptedWorker): RunMessage[] =>
  worker.sent.filter((m): m is RunMessage => m.kind === 'run');

/** Runs `input` through `pool` as one task, with `extra` options. */
export function submit(
  pool: Pool,
  task: PoolTask,
  input: unknown,
  extra: { timeout?: number; refusable?: boolean; controller?: AbortController } = {},
): Promise<unknown> {
  return pool.runOne({
    task,
    inputs: [input],
    controller: extra.controller ?? new AbortController(),
    timeout: extra.timeout,
    priority: 0,
    progress: () => {},
    refusable: extra.refusable,
  });
}

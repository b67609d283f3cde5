/** A pool transport the test drives by hand: it records what the pool sends, and the test answers. */

import { unpackRuns } from '../../../src/runners/pool/pack.js';
import { Pool, type PoolOptions } from '../../../src/runners/pool/pool.js';
import type { ToWorker } from '../../../src/runners/pool/protocol.js';
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

/** A pool over `spec` with `options` over plain defaults (one worker, one task each, no limits). */
export function scriptedPool(spec: TransportSpec, options: Partial<PoolOptions> = {}): Pool {
  return new Pool({
    transport: spec,
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
  });
}

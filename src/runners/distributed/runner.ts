/**
 * `distributed` — many machines: tasks become BullMQ jobs on Redis and run on
 * `switchyard worker` processes, each on its own local pool. Behind the same executor
 * front as the local modes; BullMQ and ioredis load only when the first task is sent.
 */

import { DEFAULTS } from '../../core/defaults.js';
import type { DistributedOptions } from '../../core/options.js';
import type { Runner } from '../../core/runner.js';
import { DistributedRunner } from './client.js';
import { checkConnection } from './connection.js';

export function distributedRunner(options: DistributedOptions): Runner {
  return new DistributedRunner({
    connection: checkConnection(options.connection, 'createExecutor()'),
    queue: options.queue ?? DEFAULTS.queue,
    concurrency: options.concurrency ?? DEFAULTS.distributedConcurrency,
    retries: options.retries ?? DEFAULTS.retries,
    maxQueue: options.maxQueue ?? Number.POSITIVE_INFINITY,
  });
}

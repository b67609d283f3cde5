/**
 * `distributed` — many machines: tasks become BullMQ jobs on Redis and run on
 * `switchyard worker` processes, each on its own local pool. Behind the same executor
 * front as the local modes; BullMQ and ioredis load only when the first task is sent.
 */

import type { ExecutorOptions } from '../../core/options.js';
import type { Runner } from '../../core/runner.js';
import { DEFAULT_QUEUE, DISTRIBUTED_CONCURRENCY, DistributedRunner } from './client.js';
import { checkConnection } from './connection.js';

export function distributedRunner(options: ExecutorOptions): Runner {
  return new DistributedRunner({
    connection: checkConnection(options.connection, 'createExecutor()'),
    queue: options.queue ?? DEFAULT_QUEUE,
    concurrency: options.concurrency ?? DISTRIBUTED_CONCURRENCY,
    retries: options.retries ?? 0,
  });
}

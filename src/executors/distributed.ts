/**
 * `distributed` — many machines: tasks become BullMQ jobs on Redis and run on
 * `switchyard worker` processes, each on its own local thread pool. Behind the same
 * executor front as the local modes; BullMQ and ioredis load only when one is created.
 */

import {
  DEFAULT_QUEUE,
  DISTRIBUTED_CONCURRENCY,
  DistributedRunner,
} from '../distributed/client.js';
import { checkConnection } from '../distributed/connection.js';
import type { ExecutorOptions } from '../options.js';
import { ExecutorFront } from './front.js';
import type { Executor } from './types.js';

export function distributedExecutor(options: ExecutorOptions): Executor {
  const runner = new DistributedRunner({
    connection: checkConnection(options.connection, 'createExecutor()'),
    queue: options.queue ?? DEFAULT_QUEUE,
    concurrency: options.concurrency ?? DISTRIBUTED_CONCURRENCY,
    retries: options.retries ?? 0,
  });
  return new ExecutorFront(runner, options);
}

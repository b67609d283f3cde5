/**
 * The `distributed` mode as the conformance suite sees it: a throwaway Redis and two
 * `switchyard worker` processes serving the suite's task modules.
 */
import { fileURLToPath } from 'node:url';
import { createExecutor } from '../../src/index.js';
import type { ConformanceTarget } from '../conformance/suite.js';
import { type RedisServer, redisSkip, startRedis } from './redis.js';
import { spawnWorker, type WorkerProcess } from './worker.js';

const SUITE_MODULES = ['../fixtures/jobs.ts', '../fixtures/plain.mjs'].map((path) =>
  fileURLToPath(new URL(path, import.meta.url)),
);

export function distributedTarget(): ConformanceTarget {
  let redis: RedisServer | undefined;
  let workers: WorkerProcess[] = [];
  return {
    mode: 'distributed',
    plainFunctions: false,
    stopsRunawayTasks: true,
    skip: redisSkip,
    async before() {
      redis = await startRedis();
      const url = redis.url;
      workers = await Promise.all(
        [1, 2].map(() => spawnWorker(url, ['--workers', '4'], { tasks: SUITE_MODULES })),
      );
    },
    async after() {
      await Promise.all(workers.map((worker) => worker.kill()));
      await redis?.stop();
    },
    create: (options) => {
      if (!redis) throw new Error('the distributed target was not started');
      return createExecutor({ mode: 'distributed', connection: redis.url, ...options });
    },
  };
}

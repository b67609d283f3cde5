/** Every mode runs the one conformance suite; a new mode adds its line here. */
import { createExecutor, task } from '../../src/index.js';
import { distributedTarget } from '../support/distributed.js';
import { describeConformance } from './suite.js';

describeConformance({
  mode: 'sync',
  plainFunctions: true,
  stopsRunawayTasks: false,
  concurrent: false,
  // One task at a time is all sync does, so it takes no `concurrency`.
  create: ({ concurrency: _, ...options }) => createExecutor({ mode: 'sync', ...options }),
});
describeConformance({ mode: 'loop', plainFunctions: true, stopsRunawayTasks: false });
for (const mode of ['threads', 'processes'] as const) {
  describeConformance({
    mode,
    plainFunctions: false,
    stopsRunawayTasks: true,
    // Warmed up: every worker has started and loaded the suite's .ts tasks (tsx is slow on
    // a loaded machine), so the suite's orderings measure the pool, not worker start-up.
    create: async (options) => {
      const ex = createExecutor({ mode, ...options });
      const jobs = new URL('../fixtures/jobs.ts', import.meta.url);
      // A map over nothing loads the task in every worker and runs no task: counts stay 0.
      for await (const _ of ex.map(task(jobs, 'echo'), [])) break;
      return ex;
    },
  });
}
describeConformance({
  mode: 'auto',
  plainFunctions: false,
  // A timeout sends auto's tasks to worker threads, where a runaway one is stopped.
  stopsRunawayTasks: true,
});
describeConformance(distributedTarget());

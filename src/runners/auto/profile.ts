/**
 * `switchyard profile`'s engine: runs a sample of real inputs in this thread through the
 * same sampler and classification `auto` uses, and reports the decision with the numbers
 * behind it — without running the rest.
 */

import type { Task } from '../../core/task.js';
import type { Mode } from '../../core/types.js';
import { loadTask } from '../../task/loader.js';
import { eventLoopRunner } from '../loop/loop.js';
import { type AutoDecision, decide, decisionContext } from './classify.js';
import { DEFAULT_PLAN, NOT_SAMPLED, planForSize, planSize, Sampler } from './sampler.js';
import { SHORT_TASK_SAMPLE } from './thresholds.js';

export interface ProfileOptions {
  /**
   * Most inputs to run, half alone and half overlapped. By default the plan `auto` uses:
   * 3–8 alone (1 for plain waiting, up to 32 for sub-millisecond tasks), then 8
   * overlapped, then 32 and 128 while overlapping scales.
   */
  readonly sample?: number;
  /** Milliseconds each sampled task may run. */
  readonly timeout?: number;
  /** Modes this build can run (`threads` is only recommended when it is one). */
  readonly available: readonly Mode[];
  /** Worker threads the decision may count on. @default the default pool size (usable CPUs) */
  readonly workers?: number;
}

export interface ProfileReport {
  readonly decision: AutoDecision;
  /** Inputs run as samples. */
  readonly sampled: number;
  /** Of those, how many threw. */
  readonly failed: number;
}

export async function profileTask(
  task: Task<unknown, unknown>,
  inputs: Iterable<unknown> | AsyncIterable<unknown>,
  options: ProfileOptions,
): Promise<ProfileReport> {
  const plan = options.sample === undefined ? DEFAULT_PLAN : planForSize(options.sample);
  const size = options.sample ?? planSize(plan, SHORT_TASK_SAMPLE);
  const fn = await loadTask(task);
  const sampler = new Sampler(plan);
  const runner = eventLoopRunner('loop', Number.POSITIVE_INFINITY);
  const runs: Promise<unknown>[] = [];
  let failed = 0;
  // Inputs are offered as a map through `auto` offers them, no more at a time than the
  // sample can use: reading on costs CPU time that would land in the samples' measurements.
  let held = 0;
  let complete = false;
  let room: (() => void) | undefined;
  const settled = () => {
    held--;
    room?.();
  };
  void sampler.complete.then(() => {
    complete = true;
    room?.();
  });
  for await (const input of inputs) {
    while (held >= sampler.wanted && !complete) await new Promise<void>((r) => (room = r));
    if (complete || runs.length >= size) break;
    held++;
    const controller = new AbortController();
    const run = { input, controller, timeout: options.timeout, priority: 0, transfer: undefined };
    const exec = () => runner.run(fn, { ...run, progress: () => {} });
    runs.push(
      sampler.offer(exec, controller).then(
        (value) => {
          settled();
          return value !== NOT_SAMPLED;
        },
        () => {
          settled();
          failed++;
          return true;
        },
      ),
    );
  }
  const sampled = (await Promise.all(runs)).filter(Boolean).length;
  const decision = decide(
    sampler.measurements(),
    decisionContext(task, options.available, options.workers),
  );
  return { decision, sampled, failed };
}

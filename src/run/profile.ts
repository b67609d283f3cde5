/**
 * `switchyard profile`'s engine: runs the first inputs through an `auto` executor — the
 * same controller `switchyard run` and `createExecutor({ mode: 'auto' })` use — and reports
 * the level to run at, why, and the moves that led there.
 */
import type { Task } from '../core/task.js';
import type { Decision } from '../core/types.js';
import { toWire } from '../core/wire.js';
import { createExecutor } from '../executor/create.js';
import { SAME_THROUGHPUT } from '../runners/auto/settings.js';

export interface ProfileOptions {
  /** Most inputs to run. */
  readonly sample: number;
  /** Stop reading inputs after this many ms (the ones running finish). */
  readonly durationMs: number;
  /** ms each task may run. */
  readonly timeout?: number | undefined;
}

/** A level `auto` ran the tasks at: where, and how many at once. */
export interface ProfileLevel {
  readonly mode: Decision['mode'];
  /** Tasks in flight (`threads`: workers × tasks per worker). */
  readonly concurrency: number;
  /** `threads` only. */
  readonly workers?: number;
  /** `threads` only. */
  readonly tasksPerWorker?: number;
}

/** A level to run at, and what `auto` measured it to finish there. */
export interface Recommendation extends ProfileLevel {
  /** Tasks finished per second. */
  readonly throughput: number;
}

/** What a profile can recommend from where `auto` was when the sample ended. */
export interface Choice {
  /**
   * The level `auto` measured and kept; while it was still trying another, the best level
   * it had measured. `undefined` when it had measured none.
   */
  readonly recommended: Recommendation | undefined;
  /** The level `auto` was trying when the sample ended, not yet measured or judged; `undefined` once it kept one. */
  readonly trying: ProfileLevel | undefined;
}

/** What ended the sample: `--sample` inputs read, the time up, or the input at its end. */
export type SampleEnd = 'sample' | 'time' | 'input';

export interface ProfileReport extends Choice {
  /** Where `auto` was, and why; `undefined` when no input succeeded, so nothing can be recommended. */
  readonly decision: Decision | undefined;
  /** Inputs run. */
  readonly sampled: number;
  /** Of those, how many failed. */
  readonly failed: number;
  /** The first failure, if any. */
  readonly firstError?: { readonly name: string; readonly message: string } | undefined;
  readonly endedBy: SampleEnd;
  readonly wallMs: number;
}

export async function profileTask(
  task: Task<unknown, unknown>,
  inputs: AsyncIterable<unknown>,
  options: ProfileOptions,
): Promise<ProfileReport> {
  const started = performance.now();
  const ex = createExecutor({
    mode: 'auto',
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
  });
  let sampled = 0;
  let failed = 0;
  let firstError: ProfileReport['firstError'];
  const end: { by: SampleEnd } = { by: 'input' };
  try {
    for await (const settled of ex.mapSettled(task, firstOf(inputs, options, started, end))) {
      sampled++;
      if (settled.ok) continue;
      failed++;
      if (!firstError) {
        const { name, message } = toWire(settled.error);
        firstError = { name, message };
      }
    }
  } finally {
    await ex.close({ cancel: true });
  }
  const decision = failed < sampled ? ex.decision : undefined;
  return {
    decision,
    ...(decision ? choose(decision) : { recommended: undefined, trying: undefined }),
    sampled,
    failed,
    firstError,
    endedBy: end.by,
    wallMs: performance.now() - started,
  };
}

/**
 * The level to recommend from `d`, as `auto` stood when the sample ended: the level it
 * measured and kept, if it had kept one. Else it was trying a level it had not judged (a
 * step up or down, a move to or from worker threads), which may turn out worse: then the
 * best level it measured before, among the levels it left — by `auto`'s own rule for a
 * level that finishes as many, the fewest in flight that finished nearly as many as the
 * most, on the same route.
 */
export function choose(d: Decision): Choice {
  const now = levelOf(d);
  if (d.throughput !== undefined)
    return { recommended: { ...now, throughput: d.throughput }, trying: undefined };
  const measured = d.history.filter((step) => step.throughput > 0);
  if (measured.length === 0) return { recommended: undefined, trying: now };
  const most = measured.reduce((a, b) => (b.throughput > a.throughput ? b : a));
  const best = measured
    .filter(
      (step) =>
        step.mode === most.mode && step.throughput >= (1 - SAME_THROUGHPUT) * most.throughput,
    )
    .reduce((a, b) =>
      b.concurrency < a.concurrency ||
      (b.concurrency === a.concurrency && b.throughput > a.throughput)
        ? b
        : a,
    );
  return { recommended: { ...levelOf(best), throughput: best.throughput }, trying: now };
}

/** The level of a decision or a step, with its pool size (`threads`). */
function levelOf(s: Pick<Decision, 'mode' | 'concurrency' | 'tasksPerWorker'>): ProfileLevel {
  if (s.mode !== 'threads') return { mode: s.mode, concurrency: s.concurrency };
  const tasksPerWorker = s.tasksPerWorker ?? 1;
  return {
    mode: 'threads',
    concurrency: s.concurrency,
    workers: Math.round(s.concurrency / tasksPerWorker),
    tasksPerWorker,
  };
}

/** The inputs, until `sample` have been read or `durationMs` has passed; `end` says which. */
async function* firstOf(
  inputs: AsyncIterable<unknown>,
  { sample, durationMs }: ProfileOptions,
  started: number,
  end: { by: SampleEnd },
): AsyncGenerator<unknown> {
  let read = 0;
  for await (const input of inputs) {
    yield input;
    if (++read >= sample) {
      end.by = 'sample';
      return;
    }
    if (performance.now() - started >= durationMs) {
      end.by = 'time';
      return;
    }
  }
}

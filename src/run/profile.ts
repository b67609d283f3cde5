/**
 * `switchyard profile`'s engine: runs the first inputs through an `auto` executor — the
 * same controller `switchyard run` and `createExecutor({ mode: 'auto' })` use — and reports
 * where it settled, why, and the moves that led there.
 */
import type { Task } from '../core/task.js';
import type { Decision } from '../core/types.js';
import { toWire } from '../core/wire.js';
import { createExecutor } from '../executor/create.js';

export interface ProfileOptions {
  /** Most inputs to run. */
  readonly sample: number;
  /** Stop reading inputs after this many ms (the ones running finish). */
  readonly durationMs: number;
  /** ms each task may run. */
  readonly timeout?: number | undefined;
}

export interface ProfileReport {
  /** Where `auto` settled; `undefined` when no input succeeded, so nothing can be recommended. */
  readonly decision: Decision | undefined;
  /** Inputs run. */
  readonly sampled: number;
  /** Of those, how many failed. */
  readonly failed: number;
  /** The first failure, if any. */
  readonly firstError?: { readonly name: string; readonly message: string } | undefined;
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
  try {
    for await (const settled of ex.mapSettled(task, firstOf(inputs, options, started))) {
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
  return {
    decision: failed < sampled ? ex.decision : undefined,
    sampled,
    failed,
    firstError,
    wallMs: performance.now() - started,
  };
}

/** The inputs, until `sample` have been read or `durationMs` has passed. */
async function* firstOf(
  inputs: AsyncIterable<unknown>,
  { sample, durationMs }: ProfileOptions,
  started: number,
): AsyncGenerator<unknown> {
  let read = 0;
  for await (const input of inputs) {
    yield input;
    if (++read >= sample || performance.now() - started >= durationMs) return;
  }
}

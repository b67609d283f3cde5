/**
 * `switchyard demo race`: the `x = x + 1` hazard of pre-emptive multitasking, shown on
 * switchyard's own `threads` executor — and the `Atomics` fix.
 *
 * @module
 */

import type { Task } from '../core/task.js';
import { createExecutor } from '../executor/create.js';
import { incrementAtomicTask, incrementPlainTask, type RaceInput } from './jobs/race.js';

/** Sizes of the race. */
export interface RaceOptions {
  /** Threads incrementing the one counter at once. @default 4 */
  readonly threads?: number;
  /** Increments per thread. @default 1_000_000 */
  readonly increments?: number;
}

/** Expected and actual totals of one way of incrementing. */
export interface RaceOutcome {
  readonly actual: number;
  /** `expected - actual`: increments that another thread's write overwrote. */
  readonly lost: number;
}

/** The whole demo's result (`--json`). */
export interface RaceResult {
  readonly threads: number;
  readonly increments: number;
  readonly expected: number;
  readonly plain: RaceOutcome;
  readonly atomic: RaceOutcome;
}

/** The counter is an Int32: the total must fit. */
export const MAX_RACE_TOTAL = 2 ** 31 - 1;

/** Races `threads` threads over one shared counter, plain and then atomic. */
export async function runRace(options: RaceOptions = {}): Promise<RaceResult> {
  const threads = options.threads ?? 4;
  const increments = options.increments ?? 1_000_000;
  const expected = threads * increments;
  if (expected > MAX_RACE_TOTAL) {
    throw new RangeError(
      `runRace(): threads × increments must be at most ${MAX_RACE_TOTAL} (the counter is an Int32), got ${expected}; use fewer increments`,
    );
  }
  await using executor = createExecutor({ mode: 'threads', workers: threads });
  const race = async (t: Task<RaceInput, void>): Promise<RaceOutcome> => {
    const memory = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    const input: RaceInput = { memory, threads, increments };
    await Promise.all(Array.from({ length: threads }, () => executor.submit(t, input)));
    const actual = new Int32Array(memory)[0]!;
    return { actual, lost: expected - actual };
  };
  const plain = await race(incrementPlainTask);
  const atomic = await race(incrementAtomicTask);
  return { threads, increments, expected, plain, atomic };
}

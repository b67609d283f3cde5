/**
 * The tasks of `switchyard demo race`: several threads add 1 to one counter in shared
 * memory, either with a plain read-add-write (`x = x + 1`) or with `Atomics.add`.
 *
 * A real module, so the `threads` executor can run it; a `SharedArrayBuffer` passes to
 * worker threads by reference, so every thread sees the same counter.
 *
 * @module
 */
import { task } from '../../core/task.js';

/** What each racing thread is given. */
export interface RaceInput {
  /** Two `Int32` slots: the counter (0) and the start gate (1). */
  readonly memory: SharedArrayBuffer;
  /** How many threads race: each waits at the gate until all have arrived. */
  readonly threads: number;
  /** Increments this thread makes. */
  readonly increments: number;
}

const COUNTER = 0;
const GATE = 1;
/** A thread that cannot see all others arrive (a pool smaller than `threads`) starts anyway. */
const GATE_TIMEOUT_MS = 2_000;

/** Waits until every racing thread has arrived, so that they all run at once. */
function startTogether({ memory, threads }: RaceInput): Int32Array {
  const view = new Int32Array(memory);
  Atomics.add(view, GATE, 1);
  Atomics.notify(view, GATE); // wake the threads already waiting, so all start at once
  const deadline = Date.now() + GATE_TIMEOUT_MS;
  for (let seen = Atomics.load(view, GATE); seen < threads && Date.now() < deadline; ) {
    Atomics.wait(view, GATE, seen, 10);
    seen = Atomics.load(view, GATE);
  }
  return view;
}

/** `x = x + 1`, `increments` times: a read, an add and a write that other threads can interleave. */
export function incrementPlain(input: RaceInput): void {
  const view = startTogether(input);
  for (let i = 0; i < input.increments; i++) view[COUNTER] = view[COUNTER]! + 1;
}

/** The same increments as one indivisible read-modify-write each: none is ever lost. */
export function incrementAtomic(input: RaceInput): void {
  const view = startTogether(input);
  for (let i = 0; i < input.increments; i++) Atomics.add(view, COUNTER, 1);
}

export const incrementPlainTask = task<RaceInput, void>(import.meta.url, 'incrementPlain');
export const incrementAtomicTask = task<RaceInput, void>(import.meta.url, 'incrementAtomic');

/** Errors of `switchyard run` alone: what is wrong with its input file or a task's output. */
import { toWire } from '../core/wire.js';

/** A line of a `switchyard run` input file is not one JSON value. */
export class InputLineError extends Error {
  override readonly name = 'InputLineError';
  /** 1-based line number in the input file. */
  readonly line: number;
  constructor(line: number, problem: string) {
    super(
      `input line ${line} is not valid JSON (${problem}); each line must hold exactly one JSON value`,
    );
    this.line = line;
  }
}

/** A task's output has no JSON form (a BigInt, a cycle, a function), so `switchyard run` cannot write it. */
export class ResultNotJsonError extends Error {
  override readonly name = 'ResultNotJsonError';
  constructor(cause: unknown) {
    const { name, message } = toWire(cause);
    super(
      `the task's output cannot be written as JSON (${name}: ${message}); return plain data: objects, arrays, strings, numbers, booleans, null`,
      { cause },
    );
  }
}

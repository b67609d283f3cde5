/**
 * What crossing to a worker thread costs one task's data, and whether it can: the last
 * input a run was given and the last output the calling thread made are kept, and a
 * structured clone of them — as messages to and from a worker make — is what is measured.
 */
import type { Unsendable } from '../../core/unsendable.js';
import { findUnsendable } from '../../core/unsendable.js';

/** Asks for the cost of copying between two measurements of it. */
const COPY_REMEASURE = 16;

export class Crossing {
  #lastInput: unknown;
  #lastOutput: unknown;
  /** The last two measured copies (see {@link copyMs}), and how often one was asked for. */
  #copies: number[] = [];
  #asks = 0;

  /** A run (or chunk, by its last input) was given `value`. */
  input(value: unknown): void {
    this.#lastInput = value;
  }

  /** A run on the calling thread returned `value`. */
  output(value: unknown): void {
    this.#lastOutput = value;
  }

  /**
   * Why the last input and output cannot cross to a worker thread (the path and what it
   * is), or `undefined` when they can.
   */
  whyNot(): string | undefined {
    const bad =
      findUnsendable(this.#lastInput, 'input') ?? findUnsendable(this.#lastOutput, 'output');
    return bad && cannotCopy(bad);
  }

  /**
   * ms of the calling thread's time to copy one input to a worker and its output back,
   * measured on the last input and output seen. Values of a few bytes cost microseconds; a
   * large one (a 256 KB string, a 128 KB page) costs about as much as a task of a
   * millisecond, which worker threads could then not beat. Measured again every
   * {@link COPY_REMEASURE} asks (a saturated thread asks once a window), so that a large
   * input costs the thread a small share of its time; each measurement is the fastest of
   * three clones (the first clone of a kind pays for setting up), and the lower of the
   * last two measurements is kept, so that a garbage collection during one does not count.
   */
  copyMs(): number {
    if (this.#asks++ % COPY_REMEASURE === 0 || this.#copies.length < 2) {
      let fastest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        try {
          structuredClone(this.#lastInput);
          structuredClone(this.#lastOutput);
        } catch {
          return 0;
        }
        fastest = Math.min(fastest, performance.now() - started);
      }
      this.#copies = [...this.#copies.slice(-1), fastest];
    }
    return Math.min(...this.#copies);
  }
}

/** A reason's words for an input or output that cannot cross (`input.onDone is a function, …`). */
export function cannotCopy({ path, problem }: Unsendable): string {
  const way = path.startsWith('input') ? 'to' : 'back from';
  return `${path} ${problem}, which cannot be copied ${way} a worker thread`;
}

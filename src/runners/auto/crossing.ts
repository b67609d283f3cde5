/**
 * What crossing to a worker thread costs one task's data, and whether it can: the last
 * input a run was given and the last output the calling thread made are kept, and a
 * structured clone of them — as messages to and from a worker make — is what is measured.
 */
import type { Unsendable } from '../../core/unsendable.js';
import { findUnsendable } from '../../core/unsendable.js';

/** Asks for the cost of copying between two measurements of it. */
const COPY_REMEASURE = 16;

/**
 * Most share of the calling thread's time, since the first ask, that measuring copies may
 * take after the first two measurements: a 2 MB result takes about 10 ms to clone, and
 * measured every 16 windows it cost a job of 0.5 ms tasks a tenth of its time.
 */
const COPY_BUDGET = 0.02;

/** A clone this long is not repeated within a measurement after the first: setting up is a small share of it. */
const LONG_CLONE_MS = 1;

export class Crossing {
  #lastInput: unknown;
  #lastOutput: unknown;
  /** The last two measured copies (see {@link copyMs}), and how often one was asked for. */
  #copies: number[] = [];
  #asks = 0;
  /** When the cost was first asked for, and the ms spent measuring it since. */
  #firstAskAt: number | undefined;
  #spentMs = 0;
  readonly #now: () => number;
  readonly #clone: (value: unknown) => unknown;

  /** `now` and `clone` are the clock and the copy to measure (a test gives its own). */
  constructor(now: () => number = () => performance.now(), clone = structuredClone) {
    this.#now = now;
    this.#clone = clone;
  }

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
   * millisecond, which worker threads could then not beat. Measured twice at first, then
   * again every {@link COPY_REMEASURE} asks (a saturated thread asks once a window) while
   * measuring has taken at most {@link COPY_BUDGET} of the time since the first ask. Each
   * measurement is the fastest of three clones (the first clone of a kind pays for setting
   * up) — of one, after the first, when it takes {@link LONG_CLONE_MS} — and the lower of the last two
   * measurements is kept, so that a garbage collection during one does not count.
   */
  copyMs(): number {
    const now = this.#now();
    this.#firstAskAt ??= now;
    const due = this.#asks++ % COPY_REMEASURE === 0;
    const affordable = this.#spentMs <= COPY_BUDGET * (now - this.#firstAskAt);
    if (this.#copies.length < 2 || (due && affordable)) {
      const measured = this.#measure();
      if (measured === undefined) return 0;
      this.#copies = [...this.#copies.slice(-1), measured];
    }
    return Math.min(...this.#copies);
  }

  /** The fastest copy of the last input and output; `undefined` when they cannot be copied. */
  #measure(): number | undefined {
    let fastest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const started = this.#now();
      let copied = true;
      try {
        this.#clone(this.#lastInput);
        this.#clone(this.#lastOutput);
      } catch {
        copied = false;
      }
      const took = this.#now() - started;
      this.#spentMs += took;
      if (!copied) return undefined;
      fastest = Math.min(fastest, took);
      // The first measurement's first clone pays for setting up, whatever the value.
      if (took >= LONG_CLONE_MS && this.#copies.length > 0) break;
    }
    return fastest;
  }
}

/** A reason's words for an input or output that cannot cross (`input.onDone is a function, …`). */
export function cannotCopy({ path, problem }: Unsendable): string {
  const way = path.startsWith('input') ? 'to' : 'back from';
  return `${path} ${problem}, which cannot be copied ${way} a worker thread`;
}

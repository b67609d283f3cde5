/**
 * When a pool starts workers again after deaths that proved nothing. A worker that died
 * before it ever answered (a task module, a flag or a memory cap that kills every worker at
 * start-up) says that its replacement may die the same way: replacing it at once would spin,
 * starting and burying workers as fast as the machine allows. So such a death is answered
 * with a delay that doubles with each one in a row, up to {@link MAX_DELAY_MS}; the first
 * worker that answers resets it.
 */

const FIRST_DELAY_MS = 50;
const MAX_DELAY_MS = 5_000;

export class Refill {
  readonly #start: () => void;
  #timer: NodeJS.Timeout | undefined;
  /** Deaths in a row of workers that never answered. */
  #deaths = 0;

  /** `start` starts the missing workers. */
  constructor(start: () => void) {
    this.#start = start;
  }

  /** Workers are due to start: until then the pool starts none by itself. */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /** A worker proved it can start: the next death is answered at once again. */
  reset(): void {
    this.#deaths = 0;
  }

  /** A worker died before it answered; `missing`: the pool is short of workers. */
  after(missing: boolean): void {
    this.#deaths++;
    if (!missing || this.#timer) return;
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (this.#deaths - 1));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#start();
    }, delay);
    // Only work waiting for those workers may keep the process alive for them (see needed()).
    this.#timer.unref();
  }

  /** Jobs wait for the workers it will start: the process stays alive until then. */
  needed(): void {
    this.#timer?.ref();
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

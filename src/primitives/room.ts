/**
 * A promise for "there is room now", for queues that refuse work past a limit: `ready()`
 * resolves at once while fewer than `limit` wait (or a place is free), else when a later
 * `check()` finds the queue drained to half the limit. The queue calls `check()` whenever it
 * shrinks. (The idiom of a WHATWG stream writer's `ready`.)
 *
 * Waking a waiting producer only at half the limit, not at the first free place, lets it
 * submit in bursts: woken for each place, a producer that outruns the workers paid a promise
 * and a turn of the event loop per task, which halved its rate. Node's writable streams wait
 * for a drained buffer for the same reason.
 */
export class Room {
  readonly #waiting: () => number;
  readonly #limit: number;
  readonly #freePlace: () => boolean;
  #pending: Promise<void> | undefined;
  #open: (() => void) | undefined;

  /**
   * `waiting`: how many wait now; `limit`: how many may (`maxQueue`); `freePlace`: whether a
   * task submitted now would start at once, whatever waits.
   */
  constructor(waiting: () => number, limit: number, freePlace: () => boolean = () => false) {
    this.#waiting = waiting;
    this.#limit = limit;
    this.#freePlace = freePlace;
  }

  /** Whether a task submitted now would be kept: a free place, or fewer than `limit` waiting. */
  hasRoom(): boolean {
    return this.#freePlace() || this.#waiting() < this.#limit;
  }

  /** Resolves when there is room; every caller waiting at once shares one promise. */
  ready(): Promise<void> {
    if (this.hasRoom()) return Promise.resolve();
    this.#pending ??= new Promise<void>((resolve) => {
      this.#open = resolve;
    });
    return this.#pending;
  }

  /** Call after the queue shrank: wakes whoever waits once it has drained to half the limit. */
  check(): void {
    if (!this.#open) return;
    if (!this.#freePlace() && this.#waiting() > Math.floor(this.#limit / 2)) return;
    const open = this.#open;
    this.#open = undefined;
    this.#pending = undefined;
    open();
  }
}

/**
 * A promise for "there is room now", for queues that refuse work when full: `ready()`
 * resolves at once while `hasRoom()` holds, else when a later `check()` finds room. The
 * queue calls `check()` whenever it shrinks. (The idiom of a WHATWG stream writer's
 * `ready`.)
 */
export class Room {
  readonly #hasRoom: () => boolean;
  #waiting: Promise<void> | undefined;
  #open: (() => void) | undefined;

  constructor(hasRoom: () => boolean) {
    this.#hasRoom = hasRoom;
  }

  /** Resolves when there is room; every caller waiting at once shares one promise. */
  ready(): Promise<void> {
    if (this.#hasRoom()) return Promise.resolve();
    this.#waiting ??= new Promise<void>((resolve) => {
      this.#open = resolve;
    });
    return this.#waiting;
  }

  /** Call after the queue shrank: wakes whoever waits, if there is room now. */
  check(): void {
    if (!this.#open || !this.#hasRoom()) return;
    const open = this.#open;
    this.#open = undefined;
    this.#waiting = undefined;
    open();
  }
}

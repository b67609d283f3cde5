/**
 * A task's start under `auto`: from its first run on the calling thread until a run
 * finishes, the controller is asked whether tasks that all wait should have more in flight
 * (see `Controller.noneFinished`) — after `NONE_FINISHED_MS`, then when it says — and the
 * maps reading ahead are told when the level rises, since no input settles to make them
 * read on (see `ReadAhead.onRise`).
 */
import type { Controller } from './controller.js';
import { NONE_FINISHED_MS } from './settings.js';

export class StartWatch {
  readonly #controller: Controller;
  /** More runs are offered than are on the calling thread. */
  readonly #moreOffered: () => boolean;
  readonly #risen = new Set<() => void>();
  #begun = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(controller: Controller, moreOffered: () => boolean) {
    this.#controller = controller;
    this.#moreOffered = moreOffered;
  }

  /** Calls `rose` whenever the level rises before any run has finished, until the returned function is called. */
  readonly onRise = (rose: () => void): (() => void) => {
    this.#risen.add(rose);
    return () => this.#risen.delete(rose);
  };

  /** A run began on the calling thread: the first one starts the watch. */
  began(): void {
    if (this.#begun) return;
    this.#begun = true;
    this.#timer = setTimeout(this.#ask, NONE_FINISHED_MS).unref();
  }

  /** A run finished: the watch is over. */
  finished(): void {
    if (!this.#timer) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #ask = (): void => {
    const controller = this.#controller;
    const level = controller.level;
    const again = controller.noneFinished(this.#moreOffered());
    if (controller.level !== level) for (const rose of this.#risen) rose();
    this.#timer = again === undefined ? undefined : setTimeout(this.#ask, again).unref();
  };
}

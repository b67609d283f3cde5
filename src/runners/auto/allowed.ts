/**
 * Where the work may go, as events decided it, for good: a timeout pins it to worker
 * threads (only there can a task that overruns it be stopped), a task that crashed one
 * keeps it there (on the calling thread the next crash would end the program), and worker
 * threads that cannot run the task keep it off them.
 */
export class Allowed {
  #pinned = false;
  #crashed = false;
  #threadsUnavailable: string | undefined;

  /** `threadsUnavailable`: why worker threads cannot run the task, known from the start. */
  constructor(threadsUnavailable: string | undefined) {
    this.#threadsUnavailable = threadsUnavailable;
  }

  /** A timeout put the work on worker threads. */
  get pinned(): boolean {
    return this.#pinned;
  }

  /** A task crashed its worker thread. */
  get crashed(): boolean {
    return this.#crashed;
  }

  /** Why worker threads cannot run the task; `undefined` while they can. */
  get threadsUnavailable(): string | undefined {
    return this.#threadsUnavailable;
  }

  /** The work may move to worker threads of its own accord: they can take it, and no timeout put it there. */
  get mayMoveToThreads(): boolean {
    return !this.#pinned && this.#threadsUnavailable === undefined;
  }

  /** Worker threads may give the work back to the calling thread. */
  get mayLeaveThreads(): boolean {
    return !this.#pinned && !this.#crashed;
  }

  pin(): void {
    this.#pinned = true;
  }

  crash(): void {
    this.#crashed = true;
  }

  /** Worker threads cannot run the task (`why`): it stays on the calling thread, timeout or not. */
  threadsFailed(why: string): void {
    this.#threadsUnavailable = why;
    this.#pinned = false;
  }
}

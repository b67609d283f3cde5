/**
 * Checks `stats()` against what a test handed an executor: every task accepted counts in
 * exactly one of `running`, `queued`, `completed` and `failed`, whenever anyone looks — in a
 * task, in a consumer's loop, in a rejection handler, between two turns of the event loop.
 */
import assert from 'node:assert/strict';
import type { Executor } from '../../src/index.js';

export class StatsLedger {
  /** Tasks accepted so far: submits that returned, inputs a map read. */
  accepted = 0;
  readonly #ex: Executor;
  readonly #violations: string[] = [];

  constructor(ex: Executor) {
    this.#ex = ex;
  }

  /**
   * `inputs`, counted as a map reads them: a map starts each input it reads (or the chunk
   * holding it) before it reads on or yields, so between two reads every read one is accepted.
   */
  *reading<T>(inputs: Iterable<T>): Generator<T> {
    for (const input of inputs) {
      this.accepted++;
      yield input;
    }
  }

  /**
   * Submits through `submit`, counting the task as accepted as it is handed over: a task
   * may start, and look, before `submit` returns. (For submits that are not refused.)
   */
  submit<T>(submit: () => Promise<T>): Promise<T> {
    this.accepted++;
    return submit();
  }

  /** Records a violation if the counters do not add up to the tasks accepted now. */
  check(where: string): void {
    const { running, queued, completed, failed } = this.#ex.stats();
    if (running + queued + completed + failed === this.accepted) return;
    if (this.#violations.length < 5)
      this.#violations.push(
        `${where}: ${this.accepted} accepted, but running ${running} + queued ${queued} + completed ${completed} + failed ${failed}`,
      );
  }

  /** Checks at every turn of the event loop until the returned function is called. */
  watch(): () => void {
    let watching = true;
    const turn = () => {
      if (!watching) return;
      this.check('between two turns of the event loop');
      setImmediate(turn);
    };
    setImmediate(turn);
    return () => {
      watching = false;
    };
  }

  /** No check failed, and every task accepted has ended, counted once. */
  assertSettled(): void {
    assert.deepEqual(this.#violations, [], 'every task counts once at every moment');
    const { running, queued, completed, failed } = this.#ex.stats();
    assert.deepEqual(
      { running, queued, ended: completed + failed },
      { running: 0, queued: 0, ended: this.accepted },
    );
  }
}

/**
 * A waiting room where the highest priority goes first, equal priorities in arrival order
 * — the pool's queue, and the lines of {@link Semaphore} and `auto`'s gate. One FIFO bucket
 * per distinct priority, so the usual case (every task at priority 0) costs O(1) per push
 * and shift; a cancelled task leaves its bucket at once, in O(1).
 */
import { Fifo, type FifoNode } from './fifo.js';

/** A queued item's place, to remove it early. */
export class PriorityQueue<T> {
  readonly #buckets = new Map<number, Fifo<T>>();
  /** Distinct priorities present, highest first. */
  #priorities: number[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Queues `value`; keep the node (and the priority) to {@link remove} it. */
  push(value: T, priority: number): FifoNode<T> {
    let bucket = this.#buckets.get(priority);
    if (!bucket) {
      bucket = new Fifo<T>();
      this.#buckets.set(priority, bucket);
      const at = this.#priorities.findIndex((p) => p < priority);
      if (at < 0) this.#priorities.push(priority);
      else this.#priorities.splice(at, 0, priority);
    }
    this.#size++;
    return bucket.push(value);
  }

  shift(): T | undefined {
    const top = this.#priorities[0];
    if (top === undefined) return undefined;
    const bucket = this.#buckets.get(top)!;
    const value = bucket.shift();
    this.#size--;
    if (bucket.size === 0) this.#drop(top);
    return value;
  }

  /** The item {@link shift} would return, left in place. */
  peek(): T | undefined {
    const top = this.#priorities[0];
    return top === undefined ? undefined : this.#buckets.get(top)!.peek();
  }

  /** Removes a queued item; does nothing if it already left. */
  remove(node: FifoNode<T>, priority: number): void {
    const bucket = this.#buckets.get(priority);
    if (!bucket || !node.linked) return;
    bucket.remove(node);
    this.#size--;
    if (bucket.size === 0) this.#drop(priority);
  }

  #drop(priority: number): void {
    this.#buckets.delete(priority);
    this.#priorities = this.#priorities.filter((p) => p !== priority);
  }
}

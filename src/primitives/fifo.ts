/**
 * A first-in-first-out list with O(1) push, shift and removal of any node — the waiting
 * room of {@link Semaphore} and {@link Queue}. Removal matters: an aborted waiter must
 * leave the line at once, not when it reaches the front.
 */
export interface FifoNode<T> {
  readonly value: T;
  prev: FifoNode<T> | undefined;
  next: FifoNode<T> | undefined;
  linked: boolean;
}

export class Fifo<T> {
  #head: FifoNode<T> | undefined;
  #tail: FifoNode<T> | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(value: T): FifoNode<T> {
    const node: FifoNode<T> = { value, prev: this.#tail, next: undefined, linked: true };
    if (this.#tail) this.#tail.next = node;
    else this.#head = node;
    this.#tail = node;
    this.#size++;
    return node;
  }

  shift(): T | undefined {
    const node = this.#head;
    if (!node) return undefined;
    this.remove(node);
    return node.value;
  }

  peek(): T | undefined {
    return this.#head?.value;
  }

  /** The values from first to last. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let node = this.#head; node; node = node.next) yield node.value;
  }

  /** Unlinks `node`; does nothing if it was already removed. */
  remove(node: FifoNode<T>): void {
    if (!node.linked) return;
    node.linked = false;
    if (node.prev) node.prev.next = node.next;
    else this.#head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.#tail = node.prev;
    node.prev = undefined;
    node.next = undefined;
    this.#size--;
  }
}

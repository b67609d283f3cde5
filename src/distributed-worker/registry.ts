/**
 * Which worker serves which tasks, kept in Redis so that a worker given a job it cannot
 * run can tell "another worker can" (hand it back) from "no one can" (fail it, saying
 * which modules the workers do serve).
 *
 * Each worker keeps a card under its own key — the task names it runs — that expires
 * {@link CARD_TTL_MS} after its last renewal, and its name in the queue's set of workers.
 * A worker that dies stops renewing, and its card is gone within that time: Redis's own
 * clock decides, so the machines' clocks need not agree.
 */
import type { Redis } from 'ioredis';
import { type WorkerCard, workerKey, workersKey } from '../runners/distributed/protocol.js';

/** How often a worker renews its card. */
export const RENEW_MS = 2_000;
/** How long a card outlives its last renewal. */
export const CARD_TTL_MS = 10_000;

export interface Servers {
  /** Live workers, other than the one asking, that serve the task. */
  readonly others: readonly string[];
  /** Every task name the live workers serve, the one asking included. */
  readonly tasks: readonly string[];
}

export class Registry {
  readonly #client: Redis;
  readonly #queue: string;
  readonly #name: string;
  readonly #card: string;
  #timer: NodeJS.Timeout | undefined;

  constructor(client: Redis, queue: string, name: string, tasks: readonly string[]) {
    this.#client = client;
    this.#queue = queue;
    this.#name = name;
    this.#card = JSON.stringify({ tasks } satisfies WorkerCard);
  }

  /** Registers the worker, and renews its card until {@link stop}. */
  async start(): Promise<void> {
    await this.#renew();
    this.#timer ??= setInterval(() => this.#renew().catch(noop), RENEW_MS).unref();
  }

  /** Takes the worker's card down: it serves nothing any more. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#client
      .multi()
      .del(workerKey(this.#queue, this.#name))
      .srem(workersKey(this.#queue), this.#name)
      .exec();
  }

  /** Who serves `task` now, and what the live workers serve between them. */
  async servers(task: string): Promise<Servers> {
    const names = await this.#client.smembers(workersKey(this.#queue));
    const cards = names.length
      ? await this.#client.mget(names.map((name) => workerKey(this.#queue, name)))
      : [];
    const others: string[] = [];
    const tasks = new Set<string>();
    const gone: string[] = [];
    cards.forEach((card, index) => {
      const name = names[index]!;
      const served = readCard(card);
      if (!served) {
        gone.push(name);
        return;
      }
      for (const each of served) tasks.add(each);
      if (name !== this.#name && served.includes(task)) others.push(name);
    });
    // Names whose card expired: their workers died without taking it down.
    if (gone.length > 0) await this.#client.srem(workersKey(this.#queue), ...gone).catch(noop);
    return { others, tasks: [...tasks].sort() };
  }

  async #renew(): Promise<void> {
    await this.#client
      .multi()
      .set(workerKey(this.#queue, this.#name), this.#card, 'PX', CARD_TTL_MS)
      .sadd(workersKey(this.#queue), this.#name)
      .exec();
  }
}

/** The task names on a card, or `undefined` for a card that is gone or unreadable. */
function readCard(card: string | null): readonly string[] | undefined {
  if (card === null) return undefined;
  try {
    const { tasks } = JSON.parse(card) as Partial<WorkerCard>;
    return Array.isArray(tasks) ? tasks.filter((task) => typeof task === 'string') : undefined;
  } catch {
    return undefined;
  }
}

function noop(): void {}

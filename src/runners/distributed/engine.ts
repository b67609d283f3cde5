/**
 * One executor's connection to the cluster: two Redis clients (commands, and the blocking
 * reader of the event stream), BullMQ's `Queue` on the first and `QueueEvents` on the
 * second, and the watchdog over both. Job events are handed to a {@link JobListener};
 * nothing else here knows what a job carries.
 *
 * BullMQ and ioredis are imported when the first engine opens, so `import 'switchyard'`
 * stays light.
 */
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisConnectionError } from '../../core/errors.js';
import { loadBullmq } from '../../core/peers.js';
import {
  type ConnectionOption,
  type ConnectionWatch,
  describeConnection,
  openRedis,
  watchConnection,
  withinCloseGrace,
} from './connection.js';
import { runIdOf } from './probe.js';

export interface JobListener {
  completed(jobId: string, result: unknown): void;
  failed(jobId: string, reason: string): void;
  progress(jobId: string, data: unknown): void;
  active(jobId: string): void;
  stalled(jobId: string): void;
  /** Any other sign that the job is still known to Redis: added, waiting, delayed. */
  heard(jobId: string): void;
  /** Every connection is back after an outage: events may have been missed meanwhile. */
  restored(): void;
  /** Redis refused the credentials, or has been unreachable for too long. */
  unreachable(error: RedisConnectionError): void;
}

export interface EngineOptions {
  readonly connection: ConnectionOption;
  readonly queue: string;
  /** Unique per executor; names its Redis clients. */
  readonly id: string;
}

export class Engine {
  readonly queue: Queue;
  readonly commands: Redis;
  readonly queueName: string;
  readonly #events: QueueEvents;
  readonly #clients: readonly Redis[];
  readonly #watch: ConnectionWatch;
  /** Redis's `run_id`, new at each Redis start: tells a restarted Redis from a lost connection. */
  #runId: string;
  /** The id of the last event read from the stream. */
  #lastEventId: string;

  private constructor(
    parts: Pick<Engine, 'queue' | 'commands' | 'queueName'> & {
      events: QueueEvents;
      clients: readonly Redis[];
      watch: ConnectionWatch;
      runId: string;
      lastEventId: string;
    },
  ) {
    this.queue = parts.queue;
    this.commands = parts.commands;
    this.queueName = parts.queueName;
    this.#events = parts.events;
    this.#clients = parts.clients;
    this.#watch = parts.watch;
    this.#runId = parts.runId;
    this.#lastEventId = parts.lastEventId;
  }

  /** Connects; rejects with `RedisConnectionError` when Redis refuses or cannot be reached. */
  static async open(options: EngineOptions, listener: JobListener): Promise<Engine> {
    const where = describeConnection(options.connection);
    const [{ Queue, QueueEvents }, commands, reader] = await Promise.all([
      loadBullmq(),
      openRedis(options.connection, `switchyard-executor-${options.id}`),
      openRedis(options.connection, `switchyard-executor-${options.id}-events`),
    ]);
    const clients = [commands, reader];
    let engine: Engine | undefined;
    const watch = watchConnection(clients, where, (error) => listener.unreachable(error), {
      onRestored: () => {
        if (engine) engine.#refreshRunId().finally(() => listener.restored());
      },
    });
    try {
      await watch.ready;
      const runId = await readRunId(commands);
      // Read events from this instant on: every job this executor adds comes later.
      const [seconds, micros] = await commands.time();
      const lastEventId = `${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)}-0`;
      const queue = new Queue(options.queue, { connection: commands });
      const events = new QueueEvents(options.queue, { connection: reader, lastEventId });
      // Connection trouble is reported by the watchdog; BullMQ's own copies add nothing.
      queue.on('error', noop);
      events.on('error', noop);
      engine = new Engine({
        queue,
        commands,
        queueName: options.queue,
        events,
        clients,
        watch,
        runId,
        lastEventId,
      });
      const opened = engine;
      listen(events, listener, (id) => {
        opened.#lastEventId = id;
      });
      return engine;
    } catch (error) {
      watch.stop();
      for (const client of clients) client.disconnect();
      throw error;
    }
  }

  /** Redis's `run_id` now: differs from an earlier one if Redis restarted in between. */
  get runId(): string {
    return this.#runId;
  }

  /**
   * True when Redis has trimmed events this engine had not read yet: the oldest event left
   * is newer than the last one read (and so, very nearly always, is the one after it).
   */
  async eventsMissed(): Promise<boolean> {
    const [[oldest] = []] = await this.commands.xrange(
      this.queue.keys.events!,
      '-',
      '+',
      'COUNT',
      1,
    );
    return oldest !== undefined && compareStreamIds(oldest, this.#lastEventId) > 0;
  }

  /** Closes BullMQ's side, then every connection; ioredis is told not to reconnect. */
  async close(): Promise<void> {
    this.#watch.stop();
    await withinCloseGrace(Promise.allSettled([this.#events.close(), this.queue.close()]));
    for (const client of this.#clients) client.disconnect();
  }

  async #refreshRunId(): Promise<void> {
    this.#runId = await readRunId(this.commands).catch(() => this.#runId);
  }
}

/** Hands the events to `listener`, and each event's stream id to `read`. */
function listen(events: QueueEvents, listener: JobListener, read: (id: string) => void): void {
  // QueueEvents types each event's listener apart; one plain emitter's view serves them all.
  const on = <A>(event: string, handle: (args: A) => void) => {
    (events as unknown as NodeJS.EventEmitter).on(event, (args: A, id: string) => {
      read(id);
      handle(args);
    });
  };
  on<{ jobId: string; returnvalue: unknown }>('completed', ({ jobId, returnvalue }) =>
    listener.completed(jobId, returnvalue),
  );
  on<{ jobId: string; failedReason: string }>('failed', ({ jobId, failedReason }) =>
    listener.failed(jobId, failedReason),
  );
  on<{ jobId: string; data: unknown }>('progress', ({ jobId, data }) =>
    listener.progress(jobId, data),
  );
  on<{ jobId: string }>('active', ({ jobId }) => listener.active(jobId));
  on<{ jobId: string }>('stalled', ({ jobId }) => listener.stalled(jobId));
  for (const event of ['added', 'waiting', 'delayed']) {
    on<{ jobId: string }>(event, ({ jobId }) => listener.heard(jobId));
  }
  // Frequent events that say nothing to the executor: followed only for where the reader is.
  events.on('removed', (_args, id) => read(id));
  events.on('drained', (id) => read(id));
}

/** Compares two stream entry ids (`<ms>-<seq>`). */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}

async function readRunId(client: Redis): Promise<string> {
  return runIdOf(await client.info('server'));
}

function noop(): void {}

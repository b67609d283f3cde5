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
import {
  type ConnectionOption,
  type ConnectionWatch,
  describeConnection,
  openRedis,
  watchConnection,
} from './connection.js';
import { runIdOf } from './probe.js';

/** How long closing waits for Redis before it cuts the connections: a Redis that is gone would keep it waiting. */
export const CLOSE_GRACE_MS = 2_000;

/** `work`, or nothing once {@link CLOSE_GRACE_MS} have passed. */
export async function withinCloseGrace(work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work,
    new Promise((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

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

  private constructor(
    parts: Pick<Engine, 'queue' | 'commands' | 'queueName'> & {
      events: QueueEvents;
      clients: readonly Redis[];
      watch: ConnectionWatch;
      runId: string;
    },
  ) {
    this.queue = parts.queue;
    this.commands = parts.commands;
    this.queueName = parts.queueName;
    this.#events = parts.events;
    this.#clients = parts.clients;
    this.#watch = parts.watch;
    this.#runId = parts.runId;
  }

  /** Connects; rejects with `RedisConnectionError` when Redis refuses or cannot be reached. */
  static async open(options: EngineOptions, listener: JobListener): Promise<Engine> {
    const where = describeConnection(options.connection);
    const [{ Queue, QueueEvents }, commands, reader] = await Promise.all([
      import('bullmq'),
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
      listen(events, listener);
      engine = new Engine({
        queue,
        commands,
        queueName: options.queue,
        events,
        clients,
        watch,
        runId,
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

function listen(events: QueueEvents, listener: JobListener): void {
  events.on('completed', ({ jobId, returnvalue }) => listener.completed(jobId, returnvalue));
  events.on('failed', ({ jobId, failedReason }) => listener.failed(jobId, failedReason));
  events.on('progress', ({ jobId, data }) => listener.progress(jobId, data));
  events.on('active', ({ jobId }) => listener.active(jobId));
  events.on('stalled', ({ jobId }) => listener.stalled(jobId));
  for (const event of ['added', 'waiting', 'delayed'] as const) {
    events.on(event, ({ jobId }: { jobId: string }) => listener.heard(jobId));
  }
}

async function readRunId(client: Redis): Promise<string> {
  return runIdOf(await client.info('server'));
}

function noop(): void {}

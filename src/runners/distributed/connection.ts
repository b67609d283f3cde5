/**
 * Redis connections for the distributed executor and `switchyard worker`: option checks,
 * lazily loaded clients (ioredis and BullMQ cost nothing to users of the local modes), and
 * a watchdog that turns "Redis refused the password" and "Redis has been gone too long"
 * into one clear error instead of BullMQ's silent, endless reconnecting.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { RedisConnectionError } from '../../core/errors.js';
import { loadIoredis } from '../../core/peers.js';

/** A Redis URL (`redis://[:password@]host:port/db`, `rediss://` for TLS) or ioredis options. */
export type ConnectionOption = string | Record<string, unknown>;

/** How long a lost connection may take to come back before pending work is rejected. */
export const RECONNECT_GRACE_MS = 10_000;

/** How long closing waits for Redis before it cuts the connections: a Redis that is gone would keep it waiting forever. */
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

/** Throws a `TypeError` naming the option when `connection` is not a usable Redis URL or options object. */
export function checkConnection(connection: unknown, where: string): ConnectionOption {
  if (typeof connection === 'string') {
    let url: URL | undefined;
    try {
      url = new URL(connection);
    } catch {
      url = undefined;
    }
    if (url && (url.protocol === 'redis:' || url.protocol === 'rediss:')) return connection;
    throw new TypeError(
      `${where}: option 'connection' must be a Redis URL such as 'redis://:password@127.0.0.1:6379/0' ('rediss://' for TLS), got ${JSON.stringify(redact(connection))}`,
    );
  }
  if (typeof connection === 'object' && connection !== null) {
    return connection as Record<string, unknown>;
  }
  throw new TypeError(
    `${where}: option 'connection' is required for mode 'distributed': a Redis URL such as 'redis://127.0.0.1:6379' or an ioredis options object`,
  );
}

/** Where a connection points, without its password, for messages. */
export function describeConnection(connection: ConnectionOption): string {
  if (typeof connection === 'string') return redact(connection);
  const host = typeof connection.host === 'string' ? connection.host : '127.0.0.1';
  const port = typeof connection.port === 'number' ? connection.port : 6379;
  return `${connection.tls ? 'rediss' : 'redis'}://${host}:${port}`;
}

/**
 * Opens an ioredis client. BullMQ requires `maxRetriesPerRequest: null` on connections
 * that block (workers, event readers), so every command waits for a reconnect rather than
 * failing; the {@link watchConnection} watchdog is what bounds that wait.
 */
export async function openRedis(connection: ConnectionOption, name: string): Promise<Redis> {
  const { Redis } = await loadIoredis();
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    connectionName: name,
    // Reconnect quickly at first, then every 2 s: a restarted Redis is found again soon.
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  };
  const client =
    typeof connection === 'string'
      ? new Redis(connection, options)
      : new Redis({ ...options, ...connection });
  // Errors are reported by watchConnection; without a listener ioredis prints each retry.
  client.on('error', () => {});
  return client;
}

export interface ConnectionWatch {
  /** Resolves once every client is ready; rejects with the watchdog's error. */
  readonly ready: Promise<void>;
  stop(): void;
}

export interface WatchOptions {
  /** How long a lost connection may take to come back. @default {@link RECONNECT_GRACE_MS} */
  readonly graceMs?: number;
  /**
   * Called when every client is ready again after an outage: what happened meanwhile
   * (a restarted Redis, events trimmed while no one read them) is to be checked.
   */
  readonly onRestored?: () => void;
}

/**
 * Watches clients for the two failures that BullMQ would otherwise retry forever: a
 * refused password (fatal at once) and a connection down for longer than `graceMs`.
 * `onFailure` gets a {@link RedisConnectionError}; a later reconnect calls it again only
 * after another full outage.
 */
export function watchConnection(
  clients: readonly Redis[],
  where: string,
  onFailure: (error: RedisConnectionError) => void,
  { graceMs = RECONNECT_GRACE_MS, onRestored }: WatchOptions = {},
): ConnectionWatch {
  let timer: NodeJS.Timeout | undefined;
  let lastError: Error | undefined;
  /** Some client went down since every one was last ready. */
  let outage = false;
  let settleReady: ((error?: Error) => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settleReady = (error) => {
      settleReady = undefined;
      if (error) reject(error);
      else resolve();
    };
  });
  ready.catch(() => {});

  const fail = (error: RedisConnectionError) => {
    clearTimeout(timer);
    timer = undefined;
    settleReady?.(error);
    onFailure(error);
  };
  const down = () => {
    outage = true;
    timer ??= setTimeout(
      () =>
        fail(
          new RedisConnectionError(
            where,
            'unreachable',
            `no connection for ${graceMs / 1000} s (${lastError?.message ?? 'connection closed'}); is Redis running and reachable?`,
            lastError,
          ),
        ),
      graceMs,
    );
  };
  const up = () => {
    if (!clients.every((client) => client.status === 'ready')) return;
    clearTimeout(timer);
    timer = undefined;
    const wasFirst = settleReady !== undefined;
    settleReady?.();
    if (outage && !wasFirst) onRestored?.();
    outage = false;
  };
  const onError = (error: Error) => {
    lastError = error;
    if (/WRONGPASS|NOAUTH|invalid password|NOPERM/i.test(error.message)) {
      fail(
        new RedisConnectionError(
          where,
          'credentials',
          `Redis refused the credentials (${error.message}); check the password in the connection URL`,
          error,
        ),
      );
      for (const client of clients) client.disconnect();
    }
  };
  for (const client of clients) {
    client.on('error', onError);
    client.on('close', down);
    client.on('ready', up);
  }
  if (clients.every((client) => client.status === 'ready')) settleReady?.();
  else down();

  return {
    ready,
    stop() {
      clearTimeout(timer);
      for (const client of clients) {
        client.off('error', onError);
        client.off('close', down);
        client.off('ready', up);
      }
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_m, auth: string) =>
    auth.includes(':') ? `//${auth.slice(0, auth.indexOf(':'))}:***@` : '//***@',
  );
}

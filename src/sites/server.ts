/**
 * An embedded loopback HTTP server that serves many deterministic "sites" with a
 * configurable latency, for tests and for I/O-bound "download many sites" benchmarks.
 *
 * @example
 * ```ts
 * await using server = await startSitesServer({ sites: 10, latencyMs: 50 });
 * const res = await fetch(server.siteUrl(3));
 * const bytes = new Uint8Array(await res.arrayBuffer());
 * checksumOf(bytes) === server.checksum(3); // true
 * ```
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { builtin } from '../core/builtins.js';
import { deriveSeed, mulberry32 } from './prng.js';

const nodeCrypto = builtin<typeof import('node:crypto')>('node:crypto');
const http = builtin<typeof import('node:http')>('node:http');

/** Options for {@link startSitesServer}. Every option must be a non-negative integer. */
export interface SitesServerOptions {
  /**
   * Number of sites served, as `GET /site/0` … `GET /site/<sites - 1>`.
   * @default 160
   */
  sites?: number;
  /**
   * Mean delay in milliseconds before a site responds.
   * @default 100
   */
  latencyMs?: number;
  /**
   * Maximum deviation in milliseconds from `latencyMs` for an individual site. Each site gets
   * a fixed latency of `latencyMs + offset`, with the offset drawn uniformly from
   * `[-jitterMs, +jitterMs]` by a PRNG seeded with `seed`, clamped at 0.
   * @default 0
   */
  jitterMs?: number;
  /**
   * Seed for site bodies and jitter; the same seed always yields the same bodies and latencies.
   * Must fit in 32 bits.
   * @default 1
   */
  seed?: number;
  /**
   * Exact size in bytes of every site's body.
   * @default 10_240
   */
  bodyBytes?: number;
}

/** A running sites server, returned by {@link startSitesServer}. */
export interface SitesServer extends AsyncDisposable {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Loopback address the server is bound to: always `127.0.0.1`. */
  readonly host: string;
  /** TCP port the server listens on (picked by the OS). */
  readonly port: number;
  /** Number of sites served. */
  readonly sites: number;
  /** Configured mean latency in milliseconds (the `latencyMs` option). */
  readonly latencyMs: number;
  /**
   * Actual mean of the per-site latencies in milliseconds. Equals `latencyMs` without jitter;
   * with jitter it differs slightly, and more when clamping at 0 kicks in.
   */
  readonly meanLatencyMs: number;
  /** Number of site responses (status 200) sent so far; instant ones, 404s and abandoned requests are not counted. */
  readonly requests: number;
  /**
   * URL of site `i`.
   * @throws RangeError if `i` is not an integer in `[0, sites)`.
   */
  siteUrl(i: number): string;
  /**
   * URL that serves site `i`'s body at once, without its latency: for warming a client up
   * (connections open, its code compiled) before it is measured.
   * @throws RangeError if `i` is not an integer in `[0, sites)`.
   */
  instantUrl(i: number): string;
  /**
   * Fixed latency in milliseconds of site `i`.
   * @throws RangeError if `i` is not an integer in `[0, sites)`.
   */
  siteLatencyMs(i: number): number;
  /**
   * Expected body of site `i` (a copy, so callers cannot alter what is served).
   * @throws RangeError if `i` is not an integer in `[0, sites)`.
   */
  body(i: number): Buffer;
  /**
   * Expected {@link checksumOf} of site `i`'s body, also sent as the `x-site-checksum` header.
   * @throws RangeError if `i` is not an integer in `[0, sites)`.
   */
  checksum(i: number): string;
  /**
   * Stops the server, destroying every connection including idle keep-alive ones and
   * abandoning in-flight requests. Idempotent; resolves once the listener is closed.
   */
  close(): Promise<void>;
}

/**
 * Checksum used to verify downloaded site bodies: lowercase hex SHA-1 of `bytes`.
 *
 * @param bytes - The downloaded body.
 * @returns 40 lowercase hex characters; compare with {@link SitesServer.checksum}.
 */
export function checksumOf(bytes: Uint8Array): string {
  return nodeCrypto().createHash('sha1').update(bytes).digest('hex');
}

const HOST = '127.0.0.1';
const SITE_PATH = /^\/(site|instant)\/(0|[1-9]\d*)$/;
// setTimeout fires immediately (with a warning) for delays above 2^31 - 1 ms.
const MAX_DELAY_MS = 2_147_483_647;
const MAX_BODY_BYTES = 1 << 30;
const FILLER_ALPHABET = Buffer.from(
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .',
  'latin1',
);
const LINE_LENGTH = 80;

/**
 * Starts a sites server on `127.0.0.1` with an OS-assigned port. All bodies, checksums and
 * latencies are computed before this resolves, so serving a request costs only a timer.
 *
 * Routes: `GET` (or `HEAD`) `/site/<i>` for `0 <= i < sites` answers 200 after that site's
 * latency, with `content-type: text/html; charset=utf-8`, `content-length` and
 * `x-site-checksum`; `/instant/<i>` answers the same at once. Anything else answers 404 in
 * plain text naming the valid range.
 *
 * @param options - See {@link SitesServerOptions}; omitted options take their defaults.
 * @returns The running server; call {@link SitesServer.close} (or use `await using`) to stop it.
 * @throws RangeError (as a rejection) if an option is not an integer in its accepted range.
 */
export async function startSitesServer(options: SitesServerOptions = {}): Promise<SitesServer> {
  const sites = integerOption('sites', options.sites, 160, 1, Number.MAX_SAFE_INTEGER);
  const latencyMs = integerOption('latencyMs', options.latencyMs, 100, 0, MAX_DELAY_MS);
  const jitterMs = integerOption('jitterMs', options.jitterMs, 0, 0, MAX_DELAY_MS - latencyMs);
  const seed = integerOption('seed', options.seed, 1, 0, 0xffff_ffff);
  const bodyBytes = integerOption('bodyBytes', options.bodyBytes, 10_240, 0, MAX_BODY_BYTES);

  const latencies = siteLatencies(sites, latencyMs, jitterMs, seed);
  const bodies = Array.from({ length: sites }, (_, i) => siteBody(seed, i, bodyBytes));
  const checksums = bodies.map(checksumOf);
  const meanLatencyMs = latencies.reduce((sum, ms) => sum + ms, 0) / sites;
  const notFoundBody = Buffer.from(
    `Not found. Valid routes: GET /site/<i> (after its latency) and GET /instant/<i> (at once) for integer 0 <= i < ${sites}.\n`,
    'utf8',
  );

  let served = 0;

  const serveSite = (res: ServerResponse, i: number): void => {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': bodies[i]!.length,
      'x-site-checksum': checksums[i]!,
    });
    res.end(bodies[i]);
  };
  const serveAfterLatency = (res: ServerResponse, i: number): void => {
    served++;
    serveSite(res, i);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const route = siteRoute(req, sites);
    if (route === undefined) {
      res.writeHead(404, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': notFoundBody.length,
      });
      res.end(notFoundBody);
      return;
    }
    const { i, instant } = route;
    if (instant) {
      serveSite(res, i);
      return;
    }
    const delay = latencies[i]!;
    if (delay === 0) {
      serveAfterLatency(res, i);
      return;
    }
    const timer = setTimeout(serveAfterLatency, delay, res, i);
    // 'close' also fires after a normal finish; clearing an already-fired timer is a no-op.
    res.once('close', () => clearTimeout(timer));
  };

  const server = http().createServer(
    { keepAliveTimeout: 60_000, headersTimeout: 65_000 },
    onRequest,
  );
  server.maxConnections = Number.POSITIVE_INFINITY;
  server.maxRequestsPerSocket = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep backlog keeps bursts of thousands of simultaneous connects from being dropped.
    server.listen({ host: HOST, port: 0, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  const url = `http://${HOST}:${port}`;

  const checkIndex = (i: number): number => {
    if (!Number.isInteger(i) || i < 0 || i >= sites) {
      throw new RangeError(`site index must be an integer in [0, ${sites}), got ${String(i)}`);
    }
    return i;
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      // server.close() alone waits for idle keep-alive sockets to time out.
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    url,
    host: HOST,
    port,
    sites,
    latencyMs,
    meanLatencyMs,
    get requests() {
      return served;
    },
    siteUrl: (i) => `${url}/site/${checkIndex(i)}`,
    instantUrl: (i) => `${url}/instant/${checkIndex(i)}`,
    siteLatencyMs: (i) => latencies[checkIndex(i)]!,
    body: (i) => Buffer.from(bodies[checkIndex(i)]!),
    checksum: (i) => checksums[checkIndex(i)]!,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function integerOption(
  name: keyof SitesServerOptions,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `${name} must be an integer in [${min}, ${max}], got ${typeof value === 'number' ? value : typeof value}`,
    );
  }
  return value;
}

function siteRoute(
  req: IncomingMessage,
  sites: number,
): { i: number; instant: boolean } | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  const path = (req.url ?? '').split('?', 1)[0]!;
  const match = SITE_PATH.exec(path);
  if (!match) return undefined;
  const i = Number(match[2]);
  return i < sites ? { i, instant: match[1] === 'instant' } : undefined;
}

function siteLatencies(sites: number, latencyMs: number, jitterMs: number, seed: number): number[] {
  // One sequential stream: site i's latency depends only on (seed, latencyMs, jitterMs, i),
  // not on how many sites there are.
  const random = mulberry32(seed);
  return Array.from({ length: sites }, () => {
    const offset = Math.floor(random() * (2 * jitterMs + 1)) - jitterMs;
    return Math.max(0, latencyMs + offset);
  });
}

function siteBody(seed: number, i: number, bodyBytes: number): Buffer {
  const random = mulberry32(deriveSeed(seed, i));
  const body = Buffer.allocUnsafe(bodyBytes);
  for (let k = 0; k < bodyBytes; k++) {
    body[k] =
      k % LINE_LENGTH === LINE_LENGTH - 1 ? 0x0a : FILLER_ALPHABET[Math.floor(random() * 64)]!;
  }
  const head = Buffer.from(
    `<!doctype html>\n<html><head><title>site ${i} (seed ${seed})</title></head><body><pre>\n`,
  );
  const tail = Buffer.from('\n</pre></body></html>\n');
  // Tiny bodies stay pure filler rather than truncated markup.
  if (head.length + tail.length <= bodyBytes) {
    head.copy(body, 0);
    tail.copy(body, bodyBytes - tail.length);
  }
  return body;
}

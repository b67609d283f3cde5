/**
 * The sites server in a process of its own, for measurements: a client that shares an
 * event loop with its server waits for the server's timers and writes, and a benchmark of
 * that client measures both. Here the server runs in a child process (see `child.ts`) on a
 * free loopback port, and is gone once the caller closes it, exits or dies.
 *
 * @module
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import type { SitesServerReady } from './child.js';
import type { SitesServerOptions } from './server.js';

/** A sites server running in a child process. */
export interface SitesServerProcess extends AsyncDisposable {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Number of sites served. */
  readonly sites: number;
  /** Process id of the server. */
  readonly pid: number;
  /** URL of site `i`. */
  siteUrl(i: number): string;
  /** URL that serves site `i` at once, without its latency (for warming a client up). */
  instantUrl(i: number): string;
  /** The checksum of site `i`'s body, as the server computed it (see `checksumOf`). */
  checksum(i: number): string;
  /** Stops the server process; idempotent. */
  close(): Promise<void>;
}

/** How long a server process that ignores its closed channel is given before SIGKILL. */
const STOP_GRACE_MS = 2_000;

// The child program next to this module: child.ts from source (through tsx), child.js built.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const CHILD = new URL(`./child.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);

/**
 * Starts {@link startSitesServer} in a child process and resolves once it listens.
 *
 * @param options - as for `startSitesServer`; checked in the child, so a bad one rejects here
 * @throws Error (as a rejection) with the child's own message if it cannot start
 * @example
 * await using server = await spawnSitesServer({ sites: 160, latencyMs: 100 });
 * await fetch(server.siteUrl(3));
 */
export async function spawnSitesServer(
  options: SitesServerOptions = {},
): Promise<SitesServerProcess> {
  const child = fork(CHILD, [JSON.stringify(options)], {
    // From source the child needs the TypeScript loader; built, it is plain JavaScript.
    execArgv: FROM_SOURCE ? ['--import', import.meta.resolve('tsx')] : [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  let said = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    said = (said + chunk).slice(-2_000);
  });
  const ready = await new Promise<SitesServerReady>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`the sites server process ${why}`));
    child.once('message', (message) => resolve(message as SitesServerReady));
    child.once('error', (error) => fail(`could not start: ${error.message}`));
    child.once('exit', (code, signal) =>
      fail(
        `exited before it listened (${signal ?? `code ${code}`}): ${said.trim() || 'it printed nothing'}`,
      ),
    );
  }).catch(async (error: unknown) => {
    await stop(child);
    throw error;
  });
  // The caller's process may end without closing the server: the channel must not hold it open.
  child.unref();
  (child.channel as { unref(): void } | null | undefined)?.unref();

  const checkIndex = (i: number): number => {
    if (!Number.isInteger(i) || i < 0 || i >= ready.sites) {
      throw new RangeError(
        `site index must be an integer in [0, ${ready.sites}), got ${String(i)}`,
      );
    }
    return i;
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= stop(child);
    return closing;
  };
  return {
    url: ready.url,
    sites: ready.sites,
    pid: child.pid!,
    siteUrl: (i) => `${ready.url}/site/${checkIndex(i)}`,
    instantUrl: (i) => `${ready.url}/instant/${checkIndex(i)}`,
    checksum: (i) => ready.checksums[checkIndex(i)]!,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Closes the channel (the child exits on its own), or kills the child if it lingers. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.disconnect();
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * The classic I/O-bound job of the concurrency experiment: download one site and
 * checksum its body. A real module, so every executor can load it by reference.
 *
 * Each thread or process that runs it keeps one undici `Pool` per origin and connection
 * limit, so consecutive downloads reuse keep-alive connections as a real crawler would:
 * `sync` makes one request after another over one connection, `loop` opens up to its
 * concurrency, and each pool worker opens up to its `tasksPerWorker`. undici unrefs idle
 * sockets, so these connections never keep a thread or process alive.
 *
 * @module
 */
import { Pool } from 'undici';
import { type TaskContext, task } from '../../core/task.js';
import { checksumOf } from '../../sites/server.js';

/** What {@link downloadSite} is given. */
export interface SiteRequest {
  /** Absolute URL of the site, e.g. `http://127.0.0.1:41234/site/3`. */
  readonly url: string;
  /** Most keep-alive connections this thread may open to the site's origin. */
  readonly connections: number;
}

/** What {@link downloadSite} returns; the caller compares `checksum` with the expected one. */
export interface SiteDownload {
  readonly status: number;
  readonly bytes: number;
  /** {@link checksumOf} the body as received. */
  readonly checksum: string;
}

const pools = new Map<string, Pool>();

function poolFor(origin: string, connections: number): Pool {
  const key = `${connections} ${origin}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new Pool(origin, { connections });
    pools.set(key, pool);
  }
  return pool;
}

/**
 * Downloads one site and checksums its body. Any status is returned rather than thrown,
 * so a warm-up request to a missing page is cheap and the caller decides what is right.
 *
 * @example
 * await downloadSite({ url: server.siteUrl(3), connections: 1 }, ctx);
 * // { status: 200, bytes: 10240, checksum: '…' } — compare with server.checksum(3)
 */
export async function downloadSite(
  { url, connections }: SiteRequest,
  ctx: TaskContext,
): Promise<SiteDownload> {
  const { origin, pathname, search } = new URL(url);
  const { statusCode, body } = await poolFor(origin, connections).request({
    method: 'GET',
    path: pathname + search,
    signal: ctx.signal,
  });
  const bytes = new Uint8Array(await body.arrayBuffer());
  return { status: statusCode, bytes: bytes.length, checksum: checksumOf(bytes) };
}

/** A reference to {@link downloadSite}, loadable by every executor. */
export const downloadSiteTask = task<SiteRequest, SiteDownload>(import.meta.url, 'downloadSite');

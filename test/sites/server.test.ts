import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  checksumOf,
  type SitesServer,
  type SitesServerOptions,
  startSitesServer,
} from '../../src/sites/server.js';

async function download(url: string): Promise<{ res: Response; bytes: Buffer }> {
  const res = await fetch(url);
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Resolves with the socket error code, or 'connected' if the TCP connect succeeds. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
  });
}

async function start(
  t: { after: (fn: () => Promise<void>) => void },
  options?: SitesServerOptions,
): Promise<SitesServer> {
  const server = await startSitesServer(options);
  t.after(() => server.close());
  return server;
}

describe('startSitesServer', () => {
  it('serves each site’s deterministic body with the advertised length and checksum', async (t) => {
    const options = { sites: 5, latencyMs: 0, bodyBytes: 1_000, seed: 7 };
    const a = await start(t, options);
    const b = await start(t, options);
    const other = await start(t, { ...options, seed: 8 });

    for (let i = 0; i < a.sites; i++) {
      const { res, bytes } = await download(a.siteUrl(i));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(res.headers.get('content-length'), '1000');
      assert.equal(bytes.length, 1_000);
      assert.equal(res.headers.get('x-site-checksum'), a.checksum(i));
      assert.equal(checksumOf(bytes), a.checksum(i));
      assert.deepEqual(bytes, a.body(i));

      assert.deepEqual(b.body(i), a.body(i), 'same seed → same body');
      assert.equal(b.checksum(i), a.checksum(i));
      assert.notEqual(other.checksum(i), a.checksum(i), 'different seed → different body');
    }
    assert.equal(new Set(Array.from({ length: a.sites }, (_, i) => a.checksum(i))).size, a.sites);
    assert.equal(a.requests, a.sites);
  });

  it('uses the documented defaults', async (t) => {
    const server = await start(t, { latencyMs: 0 });
    assert.equal(server.sites, 160);
    assert.equal(server.body(0).length, 10_240);
    assert.equal(server.body(159).length, 10_240);
    assert.equal(server.meanLatencyMs, 0);
    assert.throws(() => server.siteUrl(160), RangeError);
    assert.throws(() => server.body(-1), RangeError);
  });

  it('binds only the loopback address 127.0.0.1', async (t) => {
    const server = await start(t, { sites: 1, latencyMs: 0 });
    assert.equal(server.host, '127.0.0.1');
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    assert.equal(new URL(server.url).hostname, '127.0.0.1');
    assert.equal(await tryConnect('127.0.0.1', server.port), 'connected');

    const external = Object.values(networkInterfaces())
      .flat()
      .find((info) => info !== undefined && info.family === 'IPv4' && !info.internal);
    if (external) {
      assert.equal(await tryConnect(external.address, server.port), 'ECONNREFUSED');
    } else {
      t.diagnostic('no non-loopback IPv4 interface; skipped the external connect check');
    }
  });

  it('answers after the configured latency', async (t) => {
    const server = await start(t, { sites: 2, latencyMs: 60 });
    assert.equal(server.siteLatencyMs(1), 60);
    const startedAt = performance.now();
    const { res } = await download(server.siteUrl(1));
    const elapsed = performance.now() - startedAt;
    assert.equal(res.status, 200);
    assert.ok(elapsed >= 60 - 5, `answered after ${elapsed.toFixed(1)} ms, expected >= 55 ms`);
  });

  it('jitter is deterministic per seed and stays within [latency - jitter, latency + jitter]', async (t) => {
    const options = { sites: 200, latencyMs: 100, jitterMs: 40, seed: 3, bodyBytes: 0 };
    const a = await start(t, options);
    const b = await start(t, options);
    const other = await start(t, { ...options, seed: 4 });
    const latencies = (s: SitesServer) =>
      Array.from({ length: s.sites }, (_, i) => s.siteLatencyMs(i));

    const got = latencies(a);
    assert.deepEqual(latencies(b), got);
    assert.notDeepEqual(latencies(other), got);
    for (const ms of got) {
      assert.ok(Number.isInteger(ms) && ms >= 60 && ms <= 140, `latency ${ms} outside [60, 140]`);
    }
    assert.ok(new Set(got).size > 10, 'jitter should spread the latencies');
    const mean = got.reduce((sum, ms) => sum + ms, 0) / got.length;
    assert.equal(a.meanLatencyMs, mean);
    assert.equal(a.latencyMs, 100);
    assert.ok(Math.abs(mean - 100) < 10, `mean ${mean} should stay near 100`);

    const slowest = got.indexOf(Math.max(...got));
    const startedAt = performance.now();
    await download(a.siteUrl(slowest));
    assert.ok(performance.now() - startedAt >= got[slowest]! - 5);
  });

  it('serves a site at once under /instant/<i>: the same body, no latency, not counted', {
    timeout: 30_000,
  }, async (t) => {
    const server = await start(t, { sites: 2, latencyMs: 600_000 });
    // Were the latency applied, this would wait ten minutes: the test times out first.
    const { res, bytes } = await download(server.instantUrl(1));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-site-checksum'), server.checksum(1));
    assert.deepEqual(bytes, server.body(1));
    assert.equal(server.requests, 0);
    assert.throws(() => server.instantUrl(2), RangeError);
    assert.equal((await fetch(`${server.url}/instant/2`)).status, 404);
  });

  it('clamps jittered latencies at 0', async (t) => {
    const server = await start(t, { sites: 100, latencyMs: 5, jitterMs: 50, bodyBytes: 0 });
    const got = Array.from({ length: server.sites }, (_, i) => server.siteLatencyMs(i));
    assert.ok(got.every((ms) => ms >= 0 && ms <= 55));
    assert.ok(got.includes(0));
  });

  it('unknown paths and out-of-range sites get 404', async (t) => {
    const server = await start(t, { sites: 3, latencyMs: 0 });
    const paths = [
      '/',
      '/site',
      '/site/',
      '/site/3',
      '/site/-1',
      '/site/1.5',
      '/site/01',
      '/site/abc',
      '/sites/1',
      '/site/1/x',
    ];
    for (const path of paths) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(await res.text(), /0 <= i < 3/);
    }
    const post = await fetch(server.siteUrl(0), { method: 'POST' });
    assert.equal(post.status, 404);
    await post.arrayBuffer();
    assert.equal(server.requests, 0);
  });

  it('invalid options throw RangeError naming the option', async () => {
    const invalid: [keyof SitesServerOptions, unknown][] = [
      ['sites', 0],
      ['sites', -1],
      ['sites', 1.5],
      ['latencyMs', -1],
      ['latencyMs', Number.NaN],
      ['latencyMs', 2 ** 31],
      ['jitterMs', -5],
      ['jitterMs', 0.5],
      ['seed', -1],
      ['seed', 2 ** 32],
      ['bodyBytes', -1],
      ['bodyBytes', Number.POSITIVE_INFINITY],
      ['bodyBytes', '10'],
    ];
    for (const [name, value] of invalid) {
      await assert.rejects(
        startSitesServer({ [name]: value } as SitesServerOptions),
        (err: unknown) =>
          err instanceof RangeError && err.message.startsWith(`${name} must be an integer in [`),
        `${name}: ${String(value)}`,
      );
    }
  });

  it('close() resolves even with idle keep-alive connections open, and afterwards connections are refused', {
    timeout: 10_000,
  }, async () => {
    const server = await startSitesServer({ sites: 2, latencyMs: 0 });
    // fetch keeps its connection alive in the global pool, so the server has an idle socket.
    const { res } = await download(server.siteUrl(0));
    assert.equal(res.status, 200);

    await server.close();
    await server.close();
    assert.equal(await tryConnect('127.0.0.1', server.port), 'ECONNREFUSED');
    await assert.rejects(fetch(server.siteUrl(0)), TypeError);
  });

  it('close() abandons in-flight requests without serving them', { timeout: 10_000 }, async () => {
    const server = await startSitesServer({ sites: 1, latencyMs: 5_000 });
    const pending = fetch(server.siteUrl(0));
    await sleep(50);
    await server.close();
    await assert.rejects(pending);
    assert.equal(server.requests, 0);
  });

  it('a client disconnecting before the latency elapses is not served', async (t) => {
    const server = await start(t, { sites: 1, latencyMs: 100 });
    await assert.rejects(fetch(server.siteUrl(0), { signal: AbortSignal.timeout(20) }));
    await sleep(200);
    assert.equal(server.requests, 0);
  });

  it('supports await using via Symbol.asyncDispose', async () => {
    let port: number;
    {
      await using server = await startSitesServer({ sites: 1, latencyMs: 0 });
      port = server.port;
      assert.equal(await tryConnect('127.0.0.1', port), 'connected');
    }
    assert.equal(await tryConnect('127.0.0.1', port), 'ECONNREFUSED');
  });

  it('300 concurrent requests all complete with correct checksums', async (t) => {
    const server = await start(t, { sites: 30, latencyMs: 50, jitterMs: 20 });
    const results = await Promise.all(
      Array.from({ length: 300 }, async (_, k) => {
        const i = k % server.sites;
        const { res, bytes } = await download(server.siteUrl(i));
        return { i, status: res.status, checksum: checksumOf(bytes) };
      }),
    );
    for (const { i, status, checksum } of results) {
      assert.equal(status, 200);
      assert.equal(checksum, server.checksum(i));
    }
    assert.equal(server.requests, 300);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pool } from 'undici';
import { createExecutor } from '../../src/index.js';
import { checksumOf, startSitesServer } from '../../src/sites/server.js';

describe('the loop executor downloading from the sites server', { timeout: 60_000 }, () => {
  it('fetches 200 pages at 50 ms latency, 50 at a time: every byte arrives, results in input order', async () => {
    await using server = await startSitesServer({ sites: 200, latencyMs: 50 });
    // undici's Pool keeps 50 keep-alive connections: one per task in flight.
    const pool = new Pool(server.url, { connections: 50 });
    await using ex = createExecutor({ mode: 'loop', concurrency: 50 });
    let inFlight = 0;
    let mostInFlight = 0;
    const download = async (i: number) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      try {
        const { statusCode, body } = await pool.request({ method: 'GET', path: `/site/${i}` });
        const bytes = Buffer.from(await body.arrayBuffer());
        return { i, statusCode, length: bytes.length, checksum: checksumOf(bytes) };
      } finally {
        inFlight--;
      }
    };

    const pages = [];
    for await (const page of ex.map(
      download,
      Array.from({ length: 200 }, (_, i) => i),
    )) {
      pages.push(page);
    }
    await pool.close();

    assert.deepEqual(
      pages.map((p) => p.i),
      Array.from({ length: 200 }, (_, i) => i),
    );
    for (const page of pages) {
      assert.equal(page.statusCode, 200);
      assert.equal(page.length, server.body(page.i).length);
      assert.equal(page.checksum, server.checksum(page.i), `site ${page.i}`);
    }
    assert.equal(server.requests, 200);
    assert.equal(mostInFlight, 50, 'the executor kept 50 downloads in flight');
  });
});

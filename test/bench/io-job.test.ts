import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downloadSiteTask } from '../../src/bench/jobs/io.js';
import { createExecutor } from '../../src/executors/create.js';
import { startSitesServer } from '../../src/sites/server.js';

describe('downloadSite (the classic I/O job)', { timeout: 120_000 }, () => {
  it('returns each body’s checksum, as the server computed it, under loop and threads', async (t) => {
    const server = await startSitesServer({ sites: 12, latencyMs: 5 });
    t.after(() => server.close());
    for (const mode of ['loop', 'threads'] as const) {
      await using ex = createExecutor(
        mode === 'loop' ? { mode, concurrency: 12 } : { mode, workers: 2, tasksPerWorker: 6 },
      );
      const inputs = Array.from({ length: 12 }, (_, i) => ({
        url: server.siteUrl(i),
        connections: 6,
      }));
      const got = [];
      for await (const d of ex.map(downloadSiteTask, inputs)) got.push(d);
      assert.deepEqual(
        got.map((d) => [d.status, d.bytes, d.checksum]),
        inputs.map((_, i) => [200, 10_240, server.checksum(i)]),
        mode,
      );
    }
  });

  it('reports a missing page by its status instead of throwing', async (t) => {
    const server = await startSitesServer({ sites: 1, latencyMs: 0 });
    t.after(() => server.close());
    await using ex = createExecutor({ mode: 'sync' });
    const d = await ex.submit(downloadSiteTask, { url: `${server.url}/warmup`, connections: 1 });
    assert.equal(d.status, 404);
  });

  it('hands ctx.signal to undici in every task of a wide map without a listener-leak warning', async (t) => {
    const server = await startSitesServer({ sites: 40, latencyMs: 20 });
    t.after(() => server.close());
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    t.after(() => process.off('warning', onWarning));
    await using ex = createExecutor({ mode: 'loop', concurrency: 40 });
    const inputs = Array.from({ length: 40 }, (_, i) => ({
      url: server.siteUrl(i),
      connections: 40,
    }));
    for await (const _ of ex.map(downloadSiteTask, inputs)) {
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, []);
  });

  it('stops a download when the map is cancelled', async (t) => {
    const server = await startSitesServer({ sites: 4, latencyMs: 10_000 });
    t.after(() => server.close());
    await using ex = createExecutor({ mode: 'loop' });
    const controller = new AbortController();
    const inputs = Array.from({ length: 4 }, (_, i) => ({
      url: server.siteUrl(i),
      connections: 4,
    }));
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      (async () => {
        for await (const _ of ex.map(downloadSiteTask, inputs, { signal: controller.signal })) {
        }
      })(),
      { name: 'AbortError' },
    );
    assert.equal(server.requests, 0, 'no reply was ever sent');
  });
});

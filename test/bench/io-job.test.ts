import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downloadSite, downloadSiteTask } from '../../src/bench/jobs/io.js';
import { createExecutor } from '../../src/executor/create.js';
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

  it('abandons a download when its ctx.signal fires, instead of waiting for the reply', async (t) => {
    const server = await startSitesServer({ sites: 1, latencyMs: 10_000 });
    t.after(() => server.close());
    const controller = new AbortController();
    const ctx = { signal: controller.signal, workerId: 0, progress: () => {} };
    setTimeout(() => controller.abort(), 50);
    // Were the signal ignored, this would resolve with status 200 once the site answered.
    await assert.rejects(downloadSite({ url: server.siteUrl(0), connections: 1 }, ctx), {
      name: 'AbortError',
    });
    assert.equal(server.requests, 0, 'no reply had been sent');
  });
});

// The README's quick start, runnable: `node --import tsx examples/quick-start.ts`.
// It downloads pages from switchyard's embedded loopback sites server, so it runs offline.
import { createExecutor, tasks } from 'switchyard';
import { startSitesServer } from 'switchyard/sites';

// One typed reference per export of jobs.ts: jobs.download is Task<string, number>.
const jobs = tasks<typeof import('./jobs.js')>(new URL('./jobs.ts', import.meta.url));

await using server = await startSitesServer({ sites: 20, latencyMs: 50 });
const urls = Array.from({ length: server.sites }, (_, i) => server.siteUrl(i));

await using ex = createExecutor({ mode: 'loop', concurrency: 10 });

// One task, with a deadline.
const first = await ex.submit(jobs.download, urls[0]!, { timeout: 5_000 });
console.log(`first page: ${first} bytes`);

// Every page, 10 at a time; outputs come in input order.
const sizes: number[] = [];
for await (const bytes of ex.map(jobs.download, urls)) sizes.push(bytes);
console.log(`downloaded ${sizes.length} pages, ${sizes.reduce((a, b) => a + b, 0)} bytes`);

// mapSettled never rejects for a task's failure: each outcome carries its input's index.
const someBroken = [urls[1]!, `${server.url}/no-such-page`, urls[2]!];
for await (const outcome of ex.mapSettled(jobs.download, someBroken)) {
  if (!outcome.ok) console.log(`input ${outcome.index} failed: ${outcome.error.message}`);
}

const { completed, failed } = ex.stats();
console.log(`completed ${completed}, failed ${failed}`);

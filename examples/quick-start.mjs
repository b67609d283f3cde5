// The README's quick start in plain JavaScript: `node examples/quick-start.mjs` (after
// `npm run build`; in your own project, after `npm install switchyard`).
// It downloads pages from switchyard's embedded loopback sites server, so it runs offline.
import { createExecutor, tasks } from 'switchyard';
import { startSitesServer } from 'switchyard/sites';

// One reference per export of jobs.mjs: jobs.download.
const jobs = tasks(new URL('./jobs.mjs', import.meta.url));

const server = await startSitesServer({ sites: 20, latencyMs: 50 });
const urls = Array.from({ length: server.sites }, (_, i) => server.siteUrl(i));

// (`await using` closes both by itself where the runtime has it, as in the .ts version.)
const ex = createExecutor({ mode: 'loop', concurrency: 10 });
try {
  // One task, with a deadline.
  const first = await ex.submit(jobs.download, urls[0], { timeout: 5_000 });
  console.log(`first page: ${first} bytes`);

  // Every page, 10 at a time; outputs come in input order.
  const sizes = [];
  for await (const bytes of ex.map(jobs.download, urls)) sizes.push(bytes);
  console.log(`downloaded ${sizes.length} pages, ${sizes.reduce((a, b) => a + b, 0)} bytes`);

  // mapSettled never rejects for a task's failure: each outcome carries its input's index.
  const someBroken = [urls[1], `${server.url}/no-such-page`, urls[2]];
  for await (const outcome of ex.mapSettled(jobs.download, someBroken)) {
    if (!outcome.ok) console.log(`input ${outcome.index} failed: ${outcome.error.message}`);
  }

  const { completed, failed } = ex.stats();
  console.log(`completed ${completed}, failed ${failed}`);
} finally {
  await ex.close();
  await server.close();
}

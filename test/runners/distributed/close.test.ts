/**
 * After `close()` a distributed executor holds nothing open and opens nothing new: the
 * process exits by itself. Run in a child process, since "exits by itself" is the point.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { redisSkip, startRedis } from '../../support/redis.js';
import { JOBS_MODULE, spawnWorker } from '../../support/worker.js';

const INDEX = fileURLToPath(new URL('../../../src/index.ts', import.meta.url));
/** Far longer than closing takes on any machine: past it the child is taken to hang. */
const HANG_MS = 60_000;

/** Runs `body` (with `ex`, `square` and `inputs` in scope) in a fresh Node; resolves with how it ended. */
async function inChild(url: string, body: string): Promise<{ code: number | null; out: string }> {
  const script = `
    const { createExecutor, task } = await import(${JSON.stringify(INDEX)});
    const ex = createExecutor({ mode: 'distributed', connection: ${JSON.stringify(url)} });
    const square = task(${JSON.stringify(JOBS_MODULE.href)}, 'square');
    const inputs = Array.from({ length: 20_000 }, (_, n) => n);
    ${body}
    console.log('closed');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const hang = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(hang);
  assert.equal(
    signal,
    null,
    `the process did not exit by itself within ${HANG_MS / 1000} s: ${out}`,
  );
  return { code, out };
}

describe('distributed: after close() nothing reconnects and the process exits', {
  skip: redisSkip,
  timeout: 240_000,
}, () => {
  for (const [what, body] of [
    [
      'breaking out of a map at its first result, then close()',
      'for await (const _ of ex.map(square, inputs)) break; await ex.close();',
    ],
    [
      'breaking out of a map after 500 results, then close()',
      'let n = 0; for await (const _ of ex.map(square, inputs)) if (++n === 500) break; await ex.close();',
    ],
    ['close() after a submit', 'await ex.submit(square, 3); await ex.close();'],
    [
      'close({ cancel: true }) with a map in flight',
      'const it = ex.map(square, inputs); await it.next(); await ex.close({ cancel: true }); await it.return?.();',
    ],
  ] as const) {
    it(`${what}: the process exits by itself`, async (t) => {
      const redis = await startRedis();
      t.after(() => redis.stop());
      const worker = await spawnWorker(redis.url, ['--workers', '2']);
      t.after(() => worker.kill());
      const { code, out } = await inChild(redis.url, body);
      assert.equal(code, 0);
      assert.match(out, /closed/);
    });
  }
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import type { BenchDocument } from '../../src/bench/types.js';
import { redisSkip, startRedis } from '../support/redis.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'bench', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('switchyard bench --connection', { skip: redisSkip, timeout: 300_000 }, () => {
  it('runs both jobs in distributed mode on a local worker, verified, and leaves no keys in Redis', async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const { code, stdout, stderr } = await bench([
      '--quick',
      '--json',
      '--modes',
      'sync,distributed',
      '--connection',
      redis.url,
    ]);
    assert.equal(code, 0, stderr);
    const doc = JSON.parse(stdout) as BenchDocument;
    for (const job of doc.jobs) {
      const d = job.results.find((r) => r.mode === 'distributed')!;
      assert.notEqual(d.wallMs, null, `${job.job}: ${d.reason}`);
      assert.equal(d.verified, true, job.job);
    }
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url);
    t.after(() => client.disconnect());
    assert.deepEqual(await client.keys('*'), [], 'the bench removed its queue');
  });

  it('reports an unreachable Redis as a failed mode with the reason, and still exits 0', async () => {
    const { code, stdout, stderr } = await bench([
      '--quick',
      '--json',
      '--jobs',
      'cpu',
      '--modes',
      'sync,distributed',
      '--connection',
      'redis://127.0.0.1:1',
    ]);
    assert.equal(code, 0, stderr);
    const doc = JSON.parse(stdout) as BenchDocument;
    const d = doc.jobs[0]!.results.find((r) => r.mode === 'distributed')!;
    assert.equal(d.wallMs, null);
    assert.match(d.reason!, /^failed: .*127\.0\.0\.1:1/);
  });
});

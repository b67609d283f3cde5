import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BenchDocument } from '../../src/bench/types.js';
import { redisSkip, startRedis } from '../support/redis.js';
import { runCli } from './spawn.js';

function bench(args: string[]) {
  return runCli(['bench', ...args]);
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

  it('when no mode asked for can run, still prints the results, and exits 1 saying why', async (t) => {
    const redis = await startRedis({ password: 's3cret' });
    t.after(() => redis.stop());
    const wrong = redis.urlWithPassword('wrong');
    const args = ['--quick', '--json', '--jobs', 'cpu', '--modes', 'distributed'];
    const { code, stdout, stderr } = await bench([...args, '--connection', wrong]);
    assert.equal(code, 1, stderr);
    const doc = JSON.parse(stdout) as BenchDocument;
    assert.equal(doc.jobs[0]!.results[0]!.wallMs, null);
    assert.match(
      stderr,
      /^switchyard: no mode could run the cpu job \(cpu distributed: failed: .*Redis refused the credentials.*\); fix that, or choose other --modes$/m,
    );
    // Said in those words only: no stack trace of the Redis client's own.
    assert.doesNotMatch(stderr, /ReplyError|^\s+at /m);
  });
});

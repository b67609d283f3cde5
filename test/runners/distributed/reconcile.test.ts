/**
 * The reconciler's schedule, without Redis: which jobs it looks up, when, and what it does
 * with the answers. Time is passed in explicitly (`tick(now)`), so nothing here waits.
 * (The look-ups against a real Redis are in settle.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareStreamIds } from '../../../src/runners/distributed/engine.js';
import type { JobStatus } from '../../../src/runners/distributed/probe.js';
import { runIdOf, statusOf } from '../../../src/runners/distributed/probe.js';
import {
  MAX_QUIET_MS,
  PROBE_BATCH,
  QUIET_MS,
  Reconciler,
  type Watched,
} from '../../../src/runners/distributed/reconcile.js';

interface Job extends Watched {
  readonly name: string;
}

/**
 * A reconciler over `jobs` whose look-ups are answered by `answer`, and what it reported;
 * `missed` answers "were events trimmed unread?".
 */
function harness(answer: (id: string) => JobStatus, missed?: () => boolean) {
  const jobs = new Map<string, Job>();
  const probed: string[][] = [];
  const found: [string, JobStatus['state']][] = [];
  const reconciler = new Reconciler<Job>({
    jobs,
    probe: async (ids) => {
      probed.push([...ids]);
      return ids.map(answer);
    },
    found: (id, status) => {
      jobs.delete(id);
      found.push([id, status.state]);
    },
    ...(missed ? { eventsMissed: async () => missed() } : {}),
  });
  const add = (name: string, now: number) => {
    const job: Job = { name, checkAt: Number.POSITIVE_INFINITY, quiet: 0 };
    jobs.set(name, job);
    Reconciler.heard(job, now);
    return job;
  };
  const tick = (now: number) => reconciler.tick(now);
  return { jobs, probed, found, reconciler, add, tick };
}

const pendingJob: JobStatus = { state: 'pending' };

describe('reconciler: a job the event stream fell silent about is looked up in Redis', () => {
  it('a job heard of less than QUIET_MS ago is not looked up; a silent one is', async () => {
    const { probed, add, tick } = harness(() => pendingJob);
    add('a', 0);
    await tick(QUIET_MS - 1);
    assert.deepEqual(probed, []);
    await tick(QUIET_MS);
    assert.deepEqual(probed, [['a']]);
  });

  it('a job not yet added to Redis is never looked up (it may not exist yet)', async () => {
    const { jobs, probed, tick } = harness(() => ({ state: 'missing', runId: 'r1' }));
    jobs.set('unsent', { name: 'unsent', checkAt: Number.POSITIVE_INFINITY, quiet: 0 });
    await tick(10 * MAX_QUIET_MS);
    assert.deepEqual(probed, []);
  });

  it('an event resets the silence', async () => {
    const { probed, add, tick } = harness(() => pendingJob);
    const job = add('a', 0);
    Reconciler.heard(job, QUIET_MS - 1);
    await tick(QUIET_MS);
    assert.deepEqual(probed, []);
    await tick(2 * QUIET_MS - 1);
    assert.deepEqual(probed, [['a']]);
  });

  it('while a job stays in flight it is looked up after twice the silence each time, up to MAX_QUIET_MS', async () => {
    const { probed, add, tick } = harness(() => pendingJob);
    add('a', 0);
    const lookups: number[] = [];
    for (let now = 0; now <= 120_000; now += 100) {
      const before = probed.length;
      await tick(now);
      if (probed.length > before) lookups.push(now);
    }
    const gaps = lookups.slice(1).map((at, i) => at - lookups[i]!);
    assert.deepEqual(gaps.slice(0, 3), [2 * QUIET_MS, 4 * QUIET_MS, 8 * QUIET_MS]);
    assert.ok(
      gaps.every((gap) => gap <= MAX_QUIET_MS),
      `gaps ${gaps.join(', ')}`,
    );
    assert.equal(gaps.at(-1), MAX_QUIET_MS);
  });

  it('a job found finished or missing is reported; one still in flight is not', async () => {
    const answers: Record<string, JobStatus> = {
      done: { state: 'completed', result: { outcomes: '' } },
      failed: { state: 'failed', reason: 'boom' },
      gone: { state: 'missing', runId: 'r1' },
      busy: pendingJob,
    };
    const { found, add, tick } = harness((id) => answers[id]!);
    for (const id of Object.keys(answers)) add(id, 0);
    await tick(QUIET_MS);
    assert.deepEqual(found, [
      ['done', 'completed'],
      ['failed', 'failed'],
      ['gone', 'missing'],
    ]);
  });

  it('a job settled by an event while its look-up was on the way is not reported', async () => {
    const { jobs, found, reconciler, add } = harness(() => ({ state: 'missing', runId: 'r1' }));
    add('a', 0);
    const round = reconciler.tick(QUIET_MS);
    jobs.delete('a'); // its completed event arrived meanwhile
    await round;
    assert.deepEqual(found, []);
  });

  it('after an outage every added job is looked up at once', async () => {
    const { probed, jobs, reconciler, add } = harness(() => pendingJob);
    add('a', 1_000_000);
    add('b', 1_000_000);
    jobs.set('unsent', { name: 'unsent', checkAt: Number.POSITIVE_INFINITY, quiet: 0 });
    reconciler.checkAll();
    await reconciler.tick(0); // waits for the round checkAll started
    assert.deepEqual(probed, [['a', 'b']]);
  });

  it('events trimmed before they were read: every job is looked up at once, at most once per QUIET_MS', async () => {
    let missed = false;
    const { probed, add, tick } = harness(
      () => pendingJob,
      () => missed,
    );
    add('a', 0);
    add('b', 0);
    await tick(1);
    assert.deepEqual(probed, [], 'no event was missed yet, and none is due');
    missed = true;
    await tick(2);
    assert.deepEqual(probed, [['a', 'b']]);
    await tick(3);
    assert.deepEqual(probed, [['a', 'b']], 'not again before QUIET_MS');
  });

  it('at most PROBE_BATCH jobs per look-up; the rest go in the next', async () => {
    const { probed, add, tick } = harness(() => pendingJob);
    for (let i = 0; i < PROBE_BATCH + 5; i++) add(`j${i}`, 0);
    await tick(QUIET_MS);
    await tick(QUIET_MS);
    assert.deepEqual(
      probed.map((ids) => ids.length),
      [PROBE_BATCH, 5],
    );
  });

  it('a look-up still waiting for Redis holds back the next; a failed one leaves its jobs due', async () => {
    const jobs = new Map<string, Job>([['a', { name: 'a', checkAt: 0, quiet: QUIET_MS }]]);
    let calls = 0;
    const stuck = new Reconciler<Job>({
      jobs,
      probe: () => {
        calls++;
        return new Promise(() => {}); // Redis does not answer
      },
      found: () => assert.fail('nothing is found'),
    });
    stuck.tick(QUIET_MS);
    await stuck.tick(QUIET_MS * 10);
    assert.equal(calls, 1, 'one look-up at a time');

    let failing = true;
    const lookups: string[] = [];
    const flaky = new Reconciler<Job>({
      jobs,
      probe: async () => {
        lookups.push(failing ? 'failed' : 'answered');
        if (failing) throw new Error('down');
        return [pendingJob];
      },
      found: () => {},
    });
    await flaky.tick(QUIET_MS);
    failing = false;
    await flaky.tick(QUIET_MS);
    assert.deepEqual(lookups, ['failed', 'answered'], 'still due after the failed look-up');
  });
});

describe('probe: a job’s state read from its BullMQ hash fields', () => {
  it('stream ids compare by time, then sequence', () => {
    assert.ok(compareStreamIds('1700000000001-0', '1700000000000-5') > 0);
    assert.ok(compareStreamIds('1700000000000-2', '1700000000000-10') < 0);
    assert.equal(compareStreamIds('5-1', '5-1'), 0);
  });

  it('run_id is read from INFO server', () => {
    assert.equal(
      runIdOf('# Server\r\nredis_version:7.0.15\r\nrun_id:abc123\r\ntcp_port:6379\r\n'),
      'abc123',
    );
    assert.equal(runIdOf(''), 'unknown');
  });

  it('no timestamp: missing, as said by the Redis of that run_id; no finishedOn: pending', () => {
    assert.deepEqual(statusOf([null, null, null, null], 'r1'), { state: 'missing', runId: 'r1' });
    assert.deepEqual(statusOf(['1', null, null, 'old failure'], 'r1'), { state: 'pending' });
  });

  it('finished with a return value: completed, even after an earlier failed attempt', () => {
    assert.deepEqual(statusOf(['1', '2', '{"v":3}', 'attempt 1 crashed'], 'r1'), {
      state: 'completed',
      result: { v: 3 },
    });
  });

  it('finished without one: failed, with its reason', () => {
    assert.deepEqual(statusOf(['1', '2', null, 'boom'], 'r1'), { state: 'failed', reason: 'boom' });
  });

  it('an unreadable return value is a completion whose result is undefined', () => {
    assert.deepEqual(statusOf(['1', '2', '{not json', null], 'r1'), {
      state: 'completed',
      result: undefined,
    });
  });
});

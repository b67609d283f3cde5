/**
 * The reconciler's schedule, without Redis: which jobs it looks up, when, and what it does
 * with the answers. Time is passed in explicitly (`tick(now)`), so nothing here waits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

/** A reconciler over `jobs` whose look-ups are answered by `answer`, and what it reported. */
function harness(answer: (id: string) => JobStatus) {
  const jobs = new Map<string, Job>();
  const probed: string[][] = [];
  const found: [string, JobStatus['state']][] = [];
  let pending: Promise<unknown> = Promise.resolve();
  const reconciler = new Reconciler<Job>({
    jobs,
    probe: (ids) => {
      probed.push([...ids]);
      const statuses = Promise.resolve(ids.map(answer));
      pending = statuses.then(() => new Promise((resolve) => setImmediate(resolve)));
      return statuses;
    },
    found: (id, _job, status) => {
      jobs.delete(id);
      found.push([id, status.state]);
    },
  });
  const add = (name: string, now: number) => {
    const job: Job = { name, checkAt: Number.POSITIVE_INFINITY, quiet: 0 };
    jobs.set(name, job);
    Reconciler.heard(job, now);
    return job;
  };
  /** Ticks at `now` and lets the look-up it started, if any, finish. */
  const tick = async (now: number) => {
    pending = Promise.resolve();
    reconciler.tick(now);
    await pending;
  };
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
    reconciler.tick(QUIET_MS);
    jobs.delete('a'); // its completed event arrived meanwhile
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(found, []);
  });

  it('after an outage every added job is looked up at once', async () => {
    const { probed, jobs, reconciler, add } = harness(() => pendingJob);
    add('a', 1_000_000);
    add('b', 1_000_000);
    jobs.set('unsent', { name: 'unsent', checkAt: Number.POSITIVE_INFINITY, quiet: 0 });
    reconciler.checkAll();
    assert.deepEqual(probed, [['a', 'b']]);
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
    const jobs = new Map<string, Job>();
    const job: Job = { name: 'a', checkAt: 0, quiet: QUIET_MS };
    jobs.set('a', job);
    const answers: (() => Promise<JobStatus[]>)[] = [
      () => new Promise(() => {}), // Redis does not answer
    ];
    let calls = 0;
    const stuck = new Reconciler<Job>({
      jobs,
      probe: () => {
        calls++;
        return answers[0]!();
      },
      found: () => assert.fail('nothing is found'),
    });
    stuck.tick(QUIET_MS);
    stuck.tick(QUIET_MS * 10);
    assert.equal(calls, 1, 'one look-up at a time');

    let failing = true;
    const lookups: string[] = [];
    const flaky = new Reconciler<Job>({
      jobs,
      probe: () => {
        lookups.push(failing ? 'failed' : 'answered');
        return failing ? Promise.reject(new Error('down')) : Promise.resolve([pendingJob]);
      },
      found: () => {},
    });
    flaky.tick(QUIET_MS);
    await new Promise((resolve) => setImmediate(resolve));
    failing = false;
    flaky.tick(QUIET_MS);
    assert.deepEqual(lookups, ['failed', 'answered'], 'still due after the failed look-up');
  });
});

describe('probe: a job’s state read from its BullMQ hash fields', () => {
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

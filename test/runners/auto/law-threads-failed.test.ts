/**
 * The control law when worker threads fail the work, driven by scripted windows (see
 * `law-windows.ts`): threads that turn out unable to run the task or fail to load it leave
 * the work on the calling thread at its level, and a task that crashed a worker thread
 * keeps the work on worker threads, where a crash does not end the program.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Law } from '../../../src/runners/auto/law.js';
import { explain } from '../../../src/runners/auto/reasons.js';
import { computing, context, window } from './law-windows.js';

describe('the control law', () => {
  it('keeps the level of a calling thread it never left when threads turn out unable to run the task', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window({ busyShare: 0.35, throughput: 3_200 }));
    const stay = law.threadsFailed('input.onDone is a function');
    assert.deepEqual(stay.to, { route: 'loop', level: 128 });
    assert.equal(stay.because.kind, 'threads-failed');
    // Saturated from now on, it names why threads are out rather than predicting a gain.
    const saturated = window({ inFlight: 128, busyShare: 1, cpuPerTaskMs: 4 });
    assert.equal(law.next(saturated), undefined);
    assert.equal(law.threadsLikely, false);
    const thin = law.next(saturated);
    assert.equal(thin?.because.kind, 'thin');
    assert.equal(thin.to.route, 'loop');
    assert.match(explain(thin, 2), /input\.onDone is a function/);
  });

  it('goes back to the calling thread at the level it left when worker threads fail to load the task', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const pinned = law.pin();
    assert.equal(pinned.to.route, 'threads');
    const back = law.threadsFailed('the module throws in a worker');
    assert.deepEqual(back.to, { route: 'loop', level: 64 });
    assert.equal(law.pinned, false);
  });

  it('keeps work whose task crashed a worker thread on worker threads, whatever it measures', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(computing));
    assert.deepEqual(law.next(window(computing))?.to, { route: 'threads', level: 1 });
    const crash = law.crash('exit code 3');
    assert.equal(crash.because.kind, 'crashed');
    assert.deepEqual(crash.to, { route: 'threads', level: 1 });
    // Respawning workers finish few: without the crash, this would send the work back to
    // the calling thread, where the next crash would end the program.
    for (const throughput of [100, 100, 100, 1_000, 100, 100, 50, 50]) {
      const move = law.next(window({ throughput, busyShare: 0.05 }));
      assert.notEqual(move?.to.route, 'loop', JSON.stringify(move?.because));
    }
  });

  it('brings the work back to worker threads when a task still finishing there crashes one', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(computing));
    law.next(window(computing));
    const slow = window({ throughput: 100, busyShare: 0.05 });
    for (let i = 0; i < 2; i++) assert.equal(law.next(slow), undefined);
    assert.equal(law.next(slow)?.because.kind, 'threads-slower');
    const back = law.crash('killed by SIGSEGV');
    assert.deepEqual(back.to, { route: 'threads', level: 1 });
    assert.match(
      explain(back, 2),
      /crashed its worker thread \(killed by SIGSEGV\); on this thread a crash would end the whole program/,
    );
  });
});

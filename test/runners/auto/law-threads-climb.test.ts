/**
 * The climb on worker threads (under a timeout, tasks that wait climb there from one per
 * worker): by the headroom the workers' busy share shows, as on the calling thread, where
 * it is known — not in a window that saw them start, nor where the process's CPU time is
 * not measured — and never past what the calling thread, sending every task, keeps up with.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayShareWorkers } from '../../../src/runners/auto/first-window.js';
import { Law } from '../../../src/runners/auto/law.js';
import type { WindowSummary } from '../../../src/runners/auto/measures.js';
import { explain } from '../../../src/runners/auto/reasons.js';
import { context, window } from './law-windows.js';

/** Waiting tasks on the 2 workers: each 20 ms, at `perWorker` each, the workers `busy` of the time. */
const waiting = (perWorker: number, busy: number, w: Partial<WindowSummary> = {}) =>
  window({
    inFlight: 2 * perWorker,
    throughput: (2 * perWorker * 1_000) / 20,
    busyShare: 0.02,
    othersBusy: 2 * busy,
    ...w,
  });

/** A law pinned to worker threads by a timeout, at one task per worker. */
function pinned(): Law {
  const law = new Law(context, { route: 'loop', level: 64 });
  assert.deepEqual(law.pin().to, { route: 'threads', level: 1 });
  return law;
}

describe('the climb on worker threads', () => {
  it('jumps by the headroom of workers busy 5% of the time, and says whose it was', () => {
    const law = pinned();
    const move = law.next(waiting(1, 0.05));
    assert.deepEqual(move?.to, { route: 'threads', level: 8 });
    assert.equal(move?.because.kind, 'room');
    assert.match(
      explain(move!, 2),
      /^The worker threads were busy 5% of the time with 1 per worker on 2 threads, so they can keep more in flight: trying 8 per worker on 2 threads\.$/,
    );
  });

  it('doubles after a window in which the workers started: their CPU then was their start', () => {
    const law = pinned();
    // Their start's CPU is taken out of the process's other threads' (see `own-start.ts`).
    const first = law.next(waiting(1, 0.02, { workersStarted: true, ownWorkersBusy: 1.5 }));
    assert.deepEqual(first?.to, { route: 'threads', level: 2 });
    assert.equal(first?.because.kind, 'probe');
    // Measured now, and idle: the next step goes by their headroom.
    const next = law.next(waiting(2, 0.05));
    assert.equal(next?.because.kind, 'climb');
    assert.deepEqual(next?.to, { route: 'threads', level: 16 });
  });

  it('doubles where the process’s CPU time is not measured', () => {
    const law = pinned();
    assert.deepEqual(law.next(waiting(1, 0))?.to, { route: 'threads', level: 2 });
    assert.deepEqual(law.next(waiting(2, 0))?.to, { route: 'threads', level: 4 });
  });

  it('climbs on by the workers’ headroom while nothing queues, by doubling once they are busy', () => {
    const law = pinned();
    law.next(waiting(1, 0.05));
    // Eight times as many finished eight times as fast, the workers 10% busy: room for 7×.
    const far = law.next(waiting(8, 0.1));
    assert.deepEqual(far?.to, { route: 'threads', level: 56 });
    // Half busy: a doubling.
    const busy = pinned();
    busy.next(waiting(1, 0.05));
    assert.deepEqual(busy.next(waiting(8, 0.5))?.to, { route: 'threads', level: 16 });
  });

  it('goes no further than the calling thread, sending every task, keeps up with', () => {
    const law = pinned();
    // Workers idle, the calling thread 35% busy with their messages: room for 2×, its own.
    const move = law.next(waiting(1, 0.01, { busyShare: 0.35 }));
    assert.deepEqual(move?.to, { route: 'threads', level: 2 });
    assert.match(explain(move!, 2), /^This thread was busy 35% of the time lately/);
  });

  it('under a timeout shares the workers out when they sit idle holding a task each, though the fastest was short', () => {
    const law = pinned();
    // Timers of 5 ms fire a millisecond early: the fastest took 4.6 ms, under the 5 ms that
    // shows by itself that tasks wait. The window the workers started in cannot tell more.
    const short = { fastestMs: 4.6, inFlight: 2 };
    const started = law.next(waiting(1, 0.02, { ...short, workersStarted: true }));
    assert.equal(started, undefined, 'measured again, past the start');
    const move = law.next(waiting(1, 0.02, short));
    assert.equal(move?.because.kind, 'room');
    assert.deepEqual(move?.to, { route: 'threads', level: 8 });
  });

  it('under a timeout keeps one task per worker when the tasks keep their workers busy', () => {
    const law = pinned();
    const computing = { fastestMs: 1, inFlight: 2 };
    assert.equal(law.next(waiting(1, 0.02, { ...computing, workersStarted: true })), undefined);
    const held = law.next(waiting(1, 0.9, computing));
    assert.equal(held?.because.kind, 'timeout-alone');
    assert.deepEqual(held?.to, { route: 'threads', level: 1 });
    // Idle, but not holding a task each (the caller offered fewer): no evidence either way.
    const sharing = { pinned: true, oneTaskPerWorker: false, workers: 2 };
    const idle = { ...waiting(1, 0.02, computing), route: 'threads', level: 1 } as const;
    assert.equal(mayShareWorkers(idle, sharing), true);
    assert.equal(mayShareWorkers({ ...idle, inFlight: 1 }, sharing), false);
  });

  it('does not hold the first window on worker threads to a full turnover: it reads their busy share', () => {
    // Heavy-tailed waits at one task per worker never turn over steadily: a window held to
    // it began again, twice as long, twice — seconds at the slowest level.
    const law = pinned();
    assert.equal(law.comparing, false);
    law.next(waiting(1, 0.05));
    assert.equal(law.comparing, true, 'the step up is judged against it');
  });
});

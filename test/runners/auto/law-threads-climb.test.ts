/**
 * The climb on worker threads (under a timeout, tasks that wait climb there from one per
 * worker): by the headroom the workers' busy share shows, as on the calling thread, where
 * it is known — not in a window that saw them start, nor where the process's CPU time is
 * not measured — and never past what the calling thread, sending every task, keeps up with.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Law } from '../../../src/runners/auto/law.js';
import { explain } from '../../../src/runners/auto/reasons.js';
import type { WindowSummary } from '../../../src/runners/auto/window.js';
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
});

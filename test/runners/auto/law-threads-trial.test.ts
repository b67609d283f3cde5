/**
 * The control law once the work has moved to worker threads, driven by scripted windows
 * (see `law-windows.ts`): how it judges their trial against the calling thread (won, lost,
 * lost with idle workers, the work changing under them, a calling thread back from a lost
 * trial that finishes fewer), and how many tasks per worker it gives them (a second one
 * probed now and then, more when the workers wait for their next task, never under a
 * timeout for tasks that compute).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Law } from '../../../src/runners/auto/law.js';
import type { Move } from '../../../src/runners/auto/moves.js';
import { explain } from '../../../src/runners/auto/reasons.js';
import { computing, context, judged, window } from './law-windows.js';

describe('the control law', () => {
  it('probes a second task per worker now and then, though the tasks computed in their call on the calling thread', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(computing));
    assert.deepEqual(law.next(window(computing))?.to, { route: 'threads', level: 1 });
    // The workers' first window pays for their start; the next two are the trial.
    const onThreads = (throughput: number, inFlight = 2) =>
      window({ throughput, inFlight, busyShare: 0.05, fastestMs: 5 });
    const move = judged(law, onThreads(2_000));
    assert.equal(move?.because.kind, 'threads-faster');
    assert.deepEqual(move?.to, { route: 'threads', level: 1 }, 'one task per worker to start with');
    let probe: ReturnType<Law['next']>;
    for (let i = 0; i < 64 && !probe; i++) probe = law.next(onThreads(2_000));
    assert.equal(probe?.because.kind, 'probe');
    assert.deepEqual(probe?.to, { route: 'threads', level: 2 });
    // On the workers the tasks wait (a first call that built a cache was all the calling
    // thread saw): two per worker finish twice as many, and the climb goes on.
    const climb = law.next(onThreads(4_000, 4));
    assert.equal(climb?.because.kind, 'climb');
    assert.deepEqual(climb?.to, { route: 'threads', level: 4 });
  });

  describe('tasks that compute alone, while the program holds this thread besides them', () => {
    /** On the workers at 1 per worker, this thread `busy` of the time, the workers `workersBusy`. */
    const onThreads = (busyShare: number, workersBusy: number, throughput = 1_300) =>
      window({ throughput, inFlight: 4, busyShare, othersBusy: 2 * workersBusy });
    const movedToThreads = () => {
      const law = new Law(context, { route: 'loop', level: 64 });
      law.next(window(computing));
      assert.deepEqual(law.next(window(computing))?.to, { route: 'threads', level: 1 });
      return law;
    };

    it('gives each worker more at hand when the workers wait for their next task', () => {
      // The program blocks this thread 6 ms in every 10: a worker finishes what it holds
      // and waits for this thread to send more. The workers beat it all the same.
      const law = movedToThreads();
      const late = judged(law, onThreads(0.25, 0.58));
      assert.equal(late?.because.kind, 'threads-faster');
      assert.deepEqual(late?.to, { route: 'threads', level: 2 });
      assert.match(explain(late!, 2), /: trying 2 per worker on 2 threads\.$/);
      // Two per worker finish clearly more: the climb goes on.
      const climb = law.next(onThreads(0.25, 0.75, 1_700));
      assert.equal(climb?.because.kind, 'climb');
      assert.ok(climb.to.route === 'threads' && climb.to.level > 2, JSON.stringify(climb.to));
    });

    it('says why it gives each worker more', () => {
      const move: Move = {
        to: { route: 'threads', level: 2 },
        because: { kind: 'fed-late', workersBusy: 0.58 },
        measured: { ...onThreads(0.25, 0.58), route: 'threads', level: 1 },
      };
      assert.equal(
        explain(move, 2),
        '1 per worker on 2 threads finished 1,300 tasks/s; each task computes from the moment it is called, yet the worker threads were busy only 58% of the time: they wait for their next task while this thread is held by other work, so more per worker keeps it at hand: trying 2 per worker on 2 threads.',
      );
    });

    it('keeps one per worker where the workers are busy, or this thread is saturated sending the tasks', () => {
      for (const [busyShare, workersBusy] of [
        [0.25, 0.9],
        [0.9, 0.58],
      ] as const) {
        const law = movedToThreads();
        const kept = judged(law, onThreads(busyShare, workersBusy));
        assert.equal(kept?.because.kind, 'threads-faster');
        assert.deepEqual(kept?.to, { route: 'threads', level: 1 }, `${busyShare}, ${workersBusy}`);
      }
    });
  });

  it('under a timeout never probes a second task per worker for tasks that compute', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.pin();
    const fast = window({ throughput: 1_000, inFlight: 2, busyShare: 0.05, fastestMs: 1 });
    for (let i = 0; i < 200; i++) {
      const move = law.next(fast);
      assert.ok(!move || move.to.level === 1, `moved to ${JSON.stringify(move?.to)}`);
    }
  });

  /**
   * Half the tasks compute 2 ms, half wait 20 ms: the fastest task (2 ms, all CPU)
   * undercounts the waits, the mean (64 ms: each waits for the others' CPU) overcounts them.
   */
  const halfWaiting = {
    busyShare: 1,
    cpuPerTaskMs: 1,
    fastestMs: 2,
    latencyMs: 64,
    callShare: 0.9,
  };

  it('gives each worker more tasks when the threads lose their trial with the workers mostly idle', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(halfWaiting));
    // Between the fastest task's 2 ms and the mean's 64 ms: √(2 × 64) ≈ 11 ms of 1 ms CPU each.
    assert.deepEqual(law.next(window(halfWaiting))?.to, { route: 'threads', level: 11 });
    // The workers' first window pays for their start; the next two are the trial.
    const idle = window({ throughput: 500, inFlight: 22, busyShare: 0.1, othersBusy: 0.6 });
    const more = judged(law, idle);
    assert.equal(more?.because.kind, 'workers-idle');
    // Busy 30% of the time: room for 0.7 ÷ 0.3 ≈ 2.3 times as many.
    assert.deepEqual(more?.to, { route: 'threads', level: 26 });
    assert.match(
      explain(more!, 2),
      /^2 worker threads finished only 0\.5× as many tasks as this thread alone \(500 tasks\/s against 1,000 tasks\/s\), but they were busy only 30% of the time, so the tasks wait there too: trying 26 per worker on 2 threads\.$/,
    );
    // The workers run already: two windows judge the new level. Busy workers that still
    // lose give the work back.
    const busy = window({ throughput: 600, inFlight: 52, busyShare: 0.1, othersBusy: 1.6 });
    assert.equal(law.next(busy), undefined);
    const back = law.next(busy);
    assert.equal(back?.because.kind, 'threads-slower');
    assert.deepEqual(back?.to, { route: 'loop', level: 64 });
  });

  it('follows work that stops computing on worker threads: idle workers send it back to the calling thread, though the throughput fell less than a change needs', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(computing));
    assert.deepEqual(law.next(window(computing))?.to, { route: 'threads', level: 1 });
    const busyWorkers = window({
      throughput: 2_000,
      inFlight: 2,
      busyShare: 0.07,
      othersBusy: 1.9,
    });
    const kept = judged(law, busyWorkers);
    assert.equal(kept?.because.kind, 'threads-faster');
    for (let i = 0; i < 4; i++) assert.equal(law.next(busyWorkers), undefined);
    // The tasks wait 10 ms now instead of computing 3 ms: 39% fewer finish, short of a
    // change, but the workers sit idle.
    const waiting = window({ throughput: 1_220, inFlight: 2, busyShare: 0.06, othersBusy: 0.06 });
    assert.equal(law.next(waiting), undefined, 'once may be noise');
    const back = law.next(waiting);
    assert.equal(back?.because.kind, 'changed');
    assert.deepEqual(back?.to, { route: 'loop', level: 64 });
    assert.match(
      explain(back!, 2),
      /^At 1 per worker on 2 threads the throughput moved from 2,000 tasks\/s to 1,220 tasks\/s and the workers from busy 95% of the time to 3%, so the work changed: exploring again, trying 64 at a time on this thread\.$/,
    );
  });

  it('gives the work back when the threads lose with idle workers but a saturated calling thread, or tasks that compute alone', () => {
    // Sending the tasks and taking their results keeps this thread busy: more per worker
    // would only wait for it.
    const sending = new Law(context, { route: 'loop', level: 64 });
    sending.next(window(halfWaiting));
    sending.next(window(halfWaiting));
    const saturated = window({ throughput: 500, inFlight: 4, busyShare: 0.95, othersBusy: 0.4 });
    const move = judged(sending, saturated);
    assert.equal(move?.because.kind, 'threads-slower');
    // Tasks that compute from the moment they are called keep a worker busy one at a time:
    // idle workers holding fewer than one each mean too few tasks to share out, not waits.
    const alone = new Law(context, { route: 'loop', level: 64 });
    alone.next(window(computing));
    assert.deepEqual(alone.next(window(computing))?.to, { route: 'threads', level: 1 });
    const idle = window({ throughput: 500, inFlight: 1.2, busyShare: 0.1, othersBusy: 0.6 });
    assert.equal(judged(alone, idle)?.because.kind, 'threads-slower');
  });

  it('shares the workers out after all when tasks started alone leave them idle while each holds one', () => {
    // Half the tasks compute 2 ms in their call, half wait 20 ms: on a thread still warming
    // up they looked as if all computed alone, so each worker got one.
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(computing));
    assert.deepEqual(law.next(window(computing))?.to, { route: 'threads', level: 1 });
    const idle = window({ throughput: 500, inFlight: 2, busyShare: 0.1, othersBusy: 0.6 });
    const move = judged(law, idle);
    assert.equal(move?.because.kind, 'workers-idle');
    assert.equal(move.to.route, 'threads');
    const level = move.to.level;
    assert.ok(level > 1, `${level} per worker`);
    // Two windows judge the new level; threads that win then climb on, sharing the workers.
    const busier = window({ throughput: 1_500, inFlight: 2 * level, othersBusy: 1.2 });
    assert.equal(law.next(busier), undefined);
    const kept = law.next(busier);
    assert.equal(kept?.because.kind, 'threads-faster');
    assert.equal(kept.to.route, 'threads');
    assert.ok(kept.to.level > level, `${kept.to.level} per worker after ${level}`);
  });

  /** Threads that lose their trial to the calling thread's last window before the move. */
  const lostTrial = () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(computing));
    assert.deepEqual(law.next(window(computing))?.to, { route: 'threads', level: 1 });
    const threads = window({ throughput: 900, inFlight: 2, busyShare: 0.05, othersBusy: 1.9 });
    const back = judged(law, threads);
    assert.equal(back?.because.kind, 'threads-slower');
    assert.deepEqual(back?.to, { route: 'loop', level: 64 });
    return { law, threads };
  };

  it('sends the work back to the threads when the calling thread, back after their lost trial, finishes clearly fewer than they did: the tasks grew', () => {
    const { law, threads } = lostTrial();
    // Each task computes 10 ms now where it computed 4 when the threads were judged.
    const grown = window({ ...computing, throughput: 400, cpuPerTaskMs: 10 });
    const again = law.next(grown);
    assert.equal(again?.because.kind, 'loop-slower');
    assert.deepEqual(again?.to, { route: 'threads', level: 1 });
    assert.match(
      explain(again!, 2),
      /^64 at a time on this thread finished 400 tasks\/s, and 1 per worker on 2 threads had just finished 2\.3× as many \(900 tasks\/s\), so the tasks take longer now than when the threads were judged: trying 1 per worker on 2 threads, on trial against this thread as it is now\.$/,
    );
    // The workers run already: their first window counts, and the next decides.
    assert.equal(law.next(threads), undefined);
    const kept = law.next(threads);
    assert.equal(kept?.because.kind, 'threads-faster');
    assert.equal(kept.to.route, 'threads');
  });

  it('keeps the work on the calling thread after the threads lost their trial while it finishes about as many as they did; only its first window back is judged so', () => {
    const { law } = lostTrial();
    const asMany = law.next(window({ ...computing, throughput: 850 }));
    assert.notEqual(asMany?.to.route, 'threads', JSON.stringify(asMany?.because));
    const slower = law.next(window({ ...computing, throughput: 400, cpuPerTaskMs: 10 }));
    assert.notEqual(slower?.because.kind, 'loop-slower');
  });
});

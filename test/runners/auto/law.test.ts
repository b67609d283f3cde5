/**
 * The control law, driven by scripted windows (see `law-windows.ts`): where it goes from
 * a window on the calling thread that has room, what it does when worker threads fail or
 * crash, and how it judges their trial.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Law } from '../../../src/runners/auto/law.js';
import type { Move } from '../../../src/runners/auto/moves.js';
import { explain } from '../../../src/runners/auto/reasons.js';
import { computing, context, judged, window } from './law-windows.js';

describe('the control law', () => {
  it('holds where the process fills every CPU, though the calling thread is mostly idle (work on libuv’s pool)', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    // gzip on libuv's threads: this thread 20% busy, the process's others 1.8 of 2 CPUs.
    const full = window({ busyShare: 0.2, othersBusy: 1.8 });
    assert.equal(law.next(full), undefined, 'once may be a burst: measured again first');
    const held = law.next(full);
    assert.equal(held?.because.kind, 'cpus-full');
    assert.deepEqual(held?.to, { route: 'loop', level: 64 });
    assert.equal(law.held?.level, 64);
    assert.match(
      explain(held!, 2, true),
      /busy 20% of the time .*kept 1\.8 CPUs busy besides, so the machine's CPUs are all in use .*: staying at 64 at a time on this thread\.$/,
    );
  });

  it('climbs as usual after one window that filled the CPUs, and when the CPUs are busy with other programs', () => {
    const burst = new Law(context, { route: 'loop', level: 64 });
    assert.equal(burst.next(window({ busyShare: 0.2, othersBusy: 1.8 })), undefined);
    const after = burst.next(window({ busyShare: 0.2, othersBusy: 0.1 }));
    assert.equal(after?.because.kind, 'room');
    assert.ok(after!.to.level > 64);
    // Other programs make this thread wait for a CPU (contention), not this process busy.
    const loaded = new Law(context, { route: 'loop', level: 64 });
    const move = loaded.next(window({ busyShare: 0.2, othersBusy: 0.1, contention: 0.6 }));
    assert.equal(move?.because.kind, 'room');
  });

  it('jumps by the headroom the busy share shows, at most eightfold', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    assert.deepEqual(law.next(window({ busyShare: 0.35 }))?.to, { route: 'loop', level: 128 });
    const idle = new Law(context, { route: 'loop', level: 64 });
    assert.deepEqual(idle.next(window({ busyShare: 0.01 }))?.to, { route: 'loop', level: 512 });
  });

  it('jumps by the headroom of the later half of a window in which the thread warmed up', () => {
    // 42% busy over the whole first window (its JIT compiling), 7% over its later half.
    const law = new Law(context, { route: 'loop', level: 64 });
    const move = law.next(window({ busyShare: 0.42, recentBusyShare: 0.07 }));
    assert.deepEqual(move?.to, { route: 'loop', level: 512 });
    assert.match(explain(move!, 2), /busy 7% of the time lately/);
  });

  it('climbs on by the headroom while the throughput rises as much as the tasks in flight, else by doubling', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window({ busyShare: 0.35 }));
    // 128 in flight finished twice as many: nothing queued, and the thread is 5% busy.
    const far = law.next(window({ inFlight: 128, throughput: 2_000, busyShare: 0.05 }));
    assert.equal(far?.because.kind, 'climb');
    assert.deepEqual(far?.to, { route: 'loop', level: 1_024 });
    const queued = new Law(context, { route: 'loop', level: 64 });
    queued.next(window({ busyShare: 0.35 }));
    // 1.5× as many for twice the tasks: something queues, so the next step only doubles.
    const near = queued.next(window({ inFlight: 128, throughput: 1_500, busyShare: 0.05 }));
    assert.equal(near?.because.kind, 'climb');
    assert.deepEqual(near?.to, { route: 'loop', level: 256 });
  });

  it('steps down from the best level once a step up brings no more', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window({ busyShare: 0.35, latencyMs: 64 }));
    const knee = law.next(window({ inFlight: 128, throughput: 1_020, latencyMs: 40 }));
    assert.equal(knee?.because.kind, 'knee');
    assert.deepEqual(knee?.to, { route: 'loop', level: 32 });
    const worse = law.next(window({ inFlight: 32, throughput: 600, latencyMs: 20 }));
    assert.equal(worse?.because.kind, 'fewer-worse');
    assert.deepEqual(worse?.to.level, 64);
  });

  it('explores again when a step down finds each task slower, not quicker: the tasks slowed, they did not queue', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window({ busyShare: 0.35, latencyMs: 40 }));
    const knee = law.next(window({ inFlight: 128, throughput: 1_020, latencyMs: 80 }));
    assert.equal(knee?.because.kind, 'knee');
    // Replies slowing through the job: at 32 in flight each took 3× as long as at 64, where
    // queueing would have made it quicker (and a resource serving 64 at once, as long: see
    // the test above).
    const slower = window({ inFlight: 32, throughput: 530, latencyMs: 120, busyShare: 0.05 });
    const again = law.next(slower);
    assert.equal(again?.because.kind, 'slowed');
    // A new exploration from 32, as far as the idle thread's headroom allows (8×).
    assert.deepEqual(again?.to, { route: 'loop', level: 256 });
    assert.match(
      explain(again!, 2),
      /^32 at a time on this thread finished 47% fewer than 64 at a time on this thread \(530 tasks\/s against 1,000 tasks\/s\), yet each task took 3\.0× as long/,
    );
    assert.equal(law.next(window({ inFlight: 256, throughput: 4_000 }))?.because.kind, 'climb');
  });

  describe('a step up from a window that saw mostly its quickest tasks finish', () => {
    it('measures that level again, and climbs on when it finishes fewer than it first showed', () => {
      // Waits of 1 ms, one in ten of 100 ms: the first window saw the quick ones finish
      // (16,500/s) while the slow ones took places; 64 in flight at that rate would take
      // 3.9 ms each (Little's law), not the 1.1 ms of those that finished.
      const law = new Law(context, { route: 'loop', level: 64 });
      law.next(window({ busyShare: 0.5, throughput: 16_500, latencyMs: 1.1 }));
      const flat = window({ inFlight: 128, throughput: 16_000, latencyMs: 7.8 });
      const recheck = law.next(flat);
      assert.equal(recheck?.because.kind, 'recheck');
      assert.deepEqual(recheck?.to, { route: 'loop', level: 64 });
      assert.equal(
        explain(recheck!, 2),
        '128 at a time on this thread finished about as many as 64 at a time on this thread (16,000 tasks/s against 16,500 tasks/s), but only the quickest tasks had finished there (those it held took 3.5× as long as those it saw finish): measuring 64 at a time on this thread again.',
      );
      // Measured again once the slow ones hold most places: 5,900/s.
      const climb = law.next(window({ throughput: 5_900, latencyMs: 10.8 }));
      assert.equal(climb?.because.kind, 'rechecked');
      // On from 128, which finished 2.7× as many for twice the tasks: by the headroom.
      assert.deepEqual(climb?.to, { route: 'loop', level: 896 });
      assert.equal(
        explain(climb!, 2),
        'Measured again, 64 at a time on this thread finished 5,900 tasks/s, not the 16,500 tasks/s it first showed while only its quickest tasks had finished, so 128 at a time on this thread finished 2.7× as many (16,000 tasks/s): trying 896 at a time on this thread.',
      );
      // The first figure no longer counts: 896 is judged against 128's.
      assert.equal(
        law.next(window({ inFlight: 896, throughput: 60_000, latencyMs: 15 }))?.because.kind,
        'climb',
      );
    });

    it('takes the knee when that level finishes clearly more again (a server taking 16 at once)', () => {
      // Requests of 30 ms to a server that serves 16 at once: the first window closed on
      // the first waves (30–60 ms each), while those queued behind them took up to 120 ms.
      const law = new Law(context, { route: 'loop', level: 64 });
      law.next(window({ busyShare: 0.35, throughput: 533, latencyMs: 45 }));
      const flat = law.next(window({ inFlight: 128, throughput: 530, latencyMs: 240 }));
      assert.equal(flat?.because.kind, 'recheck');
      const knee = law.next(window({ throughput: 640, latencyMs: 100 }));
      assert.equal(knee?.because.kind, 'rechecked');
      assert.deepEqual(knee?.to, { route: 'loop', level: 32 });
      assert.equal(
        explain(knee!, 2),
        'Measured again, 64 at a time on this thread finished 640 tasks/s; 128 at a time on this thread finished fewer than it (530 tasks/s) while each task took 2.4× as long, so the tasks queue for something that serves only so many at once: trying 32 at a time on this thread.',
      );
    });
  });

  it('a probe from a held level judges against what it measures now, not what the level measured before', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const at = (level: number, throughput: number) =>
      window({ inFlight: level, throughput, latencyMs: (1000 * level) / throughput });
    law.next(window({ busyShare: 0.35, latencyMs: 64 }));
    assert.equal(law.next(at(128, 1_020))?.because.kind, 'knee');
    const held = law.next(at(32, 600));
    assert.equal(held?.because.kind, 'fewer-worse');
    assert.deepEqual(held?.to.level, 64);
    // The resource slows a fifth (not a change of phase) while 64 is held, then probed.
    let probe: ReturnType<Law['next']>;
    for (let i = 0; i < 8 && !probe; i++) probe = law.next(at(64, 800));
    assert.equal(probe?.because.kind, 'probe');
    assert.equal(law.next(at(128, 1_000))?.because.kind, 'climb');
    // 256 brings no more: the fewest in flight that finish as many are 128 now; the 64 of
    // the first exploration finished as many then, but no longer does.
    const knee = law.next(at(256, 1_010));
    assert.equal(knee?.because.kind, 'knee');
    assert.deepEqual(knee?.to, { route: 'loop', level: 64 });
    assert.match(
      explain(knee!, 2),
      /^256 at a time on this thread finished about as many as 128 at a time on this thread \(1,010 tasks\/s against 1,000 tasks\/s\)/,
    );
    // The sentence says whether the level moved to is tried or kept.
    assert.match(explain(knee!, 2), /: trying 64 at a time on this thread\.$/);
    assert.match(explain(knee!, 2, true), /: settling at 64 at a time on this thread\.$/);
  });

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

  it('doubles the tasks in flight from a thread already fairly busy: a smaller step gains less than noise', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const move = law.next(window({ busyShare: 0.65 }));
    assert.equal(move?.because.kind, 'room');
    assert.deepEqual(move?.to, { route: 'loop', level: 128 });
    assert.match(
      explain(move!, 2),
      /busy 65% of the time lately .*, so it can keep more in flight/,
    );
  });

  it('calls a step from a thread busy most of the time lately a try, not room it measured', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const move = law.next(window({ busyShare: 0.6, recentBusyShare: 0.8 }));
    assert.deepEqual(move?.to, { route: 'loop', level: 128 });
    const reason = explain(move!, 2);
    assert.doesNotMatch(reason, /can keep more/);
    assert.match(
      reason,
      /busy 80% of the time lately with 64 at a time on this thread: trying 128 at a time on this thread to see whether more in flight pays\.$/,
    );
  });

  it('takes a thread saturated over the later half of a window as saturated, however idle the first half was', () => {
    // 64 tasks that wait 50 ms, then compute 20 ms each: idle until the first waits end,
    // then busy for over a second. A step up would only put more there.
    const law = new Law(context, { route: 'loop', level: 64 });
    const waitThenCompute = window({
      busyShare: 0.6,
      recentBusyShare: 1,
      cpuPerTaskMs: 20,
      callShare: 0,
      fastestMs: 70,
      latencyMs: 90,
      throughput: 30,
    });
    // A first window: measured again before anything moves (see the test below).
    assert.equal(law.next(waitThenCompute), undefined);
    assert.equal(law.threadsLikely, true);
    const move = law.next(waitThenCompute);
    assert.equal(move?.to.route, 'threads');
    assert.match(explain(move!, 2), /busy 100% of the time/);
    // Read as a whole, the same windows climb.
    const whole = new Law(context, { route: 'loop', level: 64 });
    assert.equal(whole.next({ ...waitThenCompute, recentBusyShare: 0.6 })?.to.level, 128);
  });

  it('measures again when its first window found the thread saturated: the program may have filled it', () => {
    // 10,000 submits made in one go before any task could finish: the thread was busy
    // with them all the first window, and the tasks that waited 5 ms took 80.
    const law = new Law(context, { route: 'loop', level: 64 });
    const start = window({
      busyShare: 1,
      cpuPerTaskMs: 2,
      fastestMs: 80,
      latencyMs: 85,
      throughput: 400,
      othersBusy: 0.7,
      contention: 0.3,
    });
    assert.equal(law.next(start), undefined);
    assert.deepEqual(law.at, { route: 'loop', level: 64 });
    assert.equal(law.threadsLikely, false);
    const after = law.next(window({ busyShare: 0.1, fastestMs: 5, latencyMs: 6 }));
    assert.equal(after?.because.kind, 'room');
    assert.ok(after.to.level >= 4 * 64, `went to ${after.to.level}`);
  });
});

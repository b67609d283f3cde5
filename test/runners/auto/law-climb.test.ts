/**
 * The climb on the calling thread, driven by scripted windows (see `law-windows.ts`):
 * where the control law goes from a window on the calling thread that has room — holding
 * where the process fills every CPU, jumping by the headroom the busy share shows, the
 * knee and the step back, a level measured again when only its quickest tasks had
 * finished or the thread waited for a CPU, a probe from a held level — and when a window's
 * busy share shows no room.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Law } from '../../../src/runners/auto/law.js';
import { explain } from '../../../src/runners/auto/reasons.js';
import { context, window } from './law-windows.js';

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

  it('measures a step up again before judging it where the thread waited for a CPU there: V8 compiling on the process’s other threads', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window({ busyShare: 0.35, latencyMs: 64, contention: 0.1 }));
    // 128 in flight finished no more and each took twice as long — as behind a bounded
    // resource — but this thread waited for a CPU 60% of the time it could have run.
    const starved = window({ inFlight: 128, throughput: 1_000, latencyMs: 128, contention: 0.6 });
    assert.equal(law.next(starved), undefined, 'measured again');
    const fed = law.next(window({ inFlight: 128, throughput: 2_000, latencyMs: 64 }));
    assert.equal(fed?.because.kind, 'climb');
    // Once per step: where the thread waits as long again, the step is judged as measured.
    const loaded = new Law(context, { route: 'loop', level: 64 });
    loaded.next(window({ busyShare: 0.35, latencyMs: 64 }));
    assert.equal(loaded.next(starved), undefined);
    assert.equal(loaded.next(starved)?.because.kind, 'knee');
    // A machine as busy before the step as in it: judged at once.
    const busy = new Law(context, { route: 'loop', level: 64 });
    busy.next(window({ busyShare: 0.35, latencyMs: 64, contention: 0.5 }));
    assert.equal(busy.next(starved)?.because.kind, 'knee');
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

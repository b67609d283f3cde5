/**
 * The control law on a saturated calling thread whose work worker threads would not help
 * (they cannot run it): how many tasks it keeps in flight there — stepping up into idle
 * gaps (not again with a step that just failed), down while fewer finish more, holding
 * where fewer could not cover the waits, exploring afresh once clearly less busy — and a
 * step up that a thread still warming up stopped. Scripted windows (see `law-windows.ts`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Law } from '../../../src/runners/auto/law.js';
import { explain } from '../../../src/runners/auto/reasons.js';
import { computing, context, judged, window } from './law-windows.js';

describe('the control law, on a saturated calling thread', () => {
  describe('on a saturated thread that worker threads would not help', () => {
    const noThreads = { ...context, threadsUnavailable: 'a plain function cannot be sent' };
    /** Busy 90%: timers firing on whole milliseconds leave gaps between bursts. */
    const gappy = window({ busyShare: 0.9, cpuPerTaskMs: 0.15, fastestMs: 5.2 });

    it('steps up while the steps fill its idle gaps; once it is fully busy, tries fewer', () => {
      const law = new Law(noThreads, { route: 'loop', level: 64 });
      assert.equal(law.next(gappy), undefined, 'the first window may have paid for the start');
      const fill = law.next(gappy);
      assert.equal(fill?.because.kind, 'fill');
      assert.deepEqual(fill?.to, { route: 'loop', level: 128 });
      // 8% more: over half of what the 10% idle could give at most. Then as few as cover
      // the tasks' own time twice over: 1,080/s × ~10 ms (between the fastest task's 5.2 ms
      // and the mean's 20) × 1.05 ≈ 12 in flight, so 25.
      const full = law.next({ ...gappy, inFlight: 128, throughput: 1_080, busyShare: 0.97 });
      assert.equal(full?.because.kind, 'thin');
      assert.deepEqual(full?.to, { route: 'loop', level: 25 });
      const back = law.next({ ...gappy, inFlight: 25, throughput: 1_000, busyShare: 0.97 });
      assert.equal(back?.because.kind, 'thin-failed');
      assert.deepEqual(back?.to, { route: 'loop', level: 128 });
      assert.equal(law.next({ ...gappy, inFlight: 128, busyShare: 0.97 }), undefined, 'and holds');
    });

    it('tries fewer when a step up finished no more, and holds where fewer finish no more', () => {
      const law = new Law(noThreads, { route: 'loop', level: 64 });
      law.next(gappy);
      law.next(gappy);
      const fewer = law.next({ ...gappy, inFlight: 128, throughput: 1_020 });
      assert.equal(fewer?.because.kind, 'thin');
      // From 64, the better of the two: as few as cover the tasks' own time twice over.
      assert.deepEqual(fewer?.to, { route: 'loop', level: 23 });
      const back = law.next({ ...gappy, inFlight: 23, throughput: 950 });
      assert.equal(back?.because.kind, 'thin-failed');
      assert.deepEqual(back?.to, { route: 'loop', level: 64 });
      assert.equal(law.next(gappy), undefined, 'no more tries at a saturated level');
      // Below saturated, but busier than a climb aims at: a thread near the line crosses it
      // from one window to the next, and the level stays held (watched as any other).
      const near = window({ busyShare: 0.8, cpuPerTaskMs: 0.15, fastestMs: 5.2 });
      assert.equal(law.next(near), undefined);
      // Clearly less busy: the work changed, and a new exploration begins.
      const afresh = law.next(window({ busyShare: 0.4, cpuPerTaskMs: 0.07, fastestMs: 5.2 }));
      assert.equal(afresh?.because.kind, 'room');
      assert.deepEqual(afresh?.to, { route: 'loop', level: 128 });
    });

    it('does not fill its idle gaps with the step up that just failed from there', () => {
      // Busy 80% at 64: a step to 128 met the thread saturated and finished no more.
      const law = new Law(noThreads, { route: 'loop', level: 64 });
      law.next(window({ busyShare: 0.8 }));
      const back = law.next({ ...gappy, inFlight: 128, throughput: 1_050 });
      assert.equal(back?.because.kind, 'saturated-stay');
      assert.deepEqual(back?.to, { route: 'loop', level: 64 });
      // Saturated with gaps at 64 again: held, not the same step at once (and again…).
      for (let i = 0; i < 3; i++) assert.equal(law.next(gappy), undefined);
    });

    it('goes on down while fewer in flight finish clearly more: many held at once cost more each', () => {
      // Each task holds a large buffer: with 64 of them alive, collecting garbage costs more.
      // They wait 8 ms first, so 600 a second need 5 in flight (Little's law): the first step
      // down goes to 11, as few as cover that twice over, and halves from there.
      const law = new Law(noThreads, { route: 'loop', level: 64 });
      const at = (inFlight: number, throughput: number) =>
        window({
          busyShare: 1,
          cpuPerTaskMs: 1000 / throughput,
          fastestMs: 8,
          latencyMs: 8,
          inFlight,
          throughput,
        });
      assert.equal(law.next(at(64, 600)), undefined);
      assert.deepEqual(law.next(at(64, 600))?.to, { route: 'loop', level: 11 });
      const on = law.next(at(11, 900));
      assert.equal(on?.because.kind, 'fewer-better');
      assert.deepEqual(on?.to, { route: 'loop', level: 5 });
      const back = law.next(at(5, 850));
      assert.equal(back?.because.kind, 'thin-failed');
      assert.deepEqual(back?.to, { route: 'loop', level: 11 });
      assert.match(explain(back!, 2), /a plain function cannot be sent/);
    });

    it('steps down at once to one or two in flight for tasks that only compute', () => {
      // Sync tasks returning 1 MB each: in flight, they buy nothing but results kept alive.
      const law = new Law(noThreads, { route: 'loop', level: 64 });
      const sync = window({ ...computing, cpuPerTaskMs: 0.5, fastestMs: 0.5, throughput: 1_300 });
      law.next(sync);
      const fewer = law.next(sync);
      assert.equal(fewer?.because.kind, 'thin');
      assert.deepEqual(fewer?.to, { route: 'loop', level: 2 });
      const one = law.next({ ...sync, inFlight: 2, throughput: 2_000 });
      assert.deepEqual(one?.to, { route: 'loop', level: 1 });
      // One finishes no clearly more than two: back to two, held.
      const back = law.next({ ...sync, inFlight: 1, throughput: 2_020 });
      assert.equal(back?.because.kind, 'thin-failed');
      assert.deepEqual(back?.to, { route: 'loop', level: 2 });
    });

    it("holds without trying fewer where fewer could not cover the tasks' waits at its throughput", () => {
      // Replies of 50–150 ms parsed on this thread: at 2,000 a second they need 200 in
      // flight (Little's law), so half of 224 could not finish as many, let alone more.
      const law = new Law(noThreads, { route: 'loop', level: 64 });
      const replies = { cpuPerTaskMs: 0.45, fastestMs: 60, latencyMs: 112 };
      const up = law.next(window({ ...replies, busyShare: 0.2, throughput: 640, latencyMs: 100 }));
      assert.deepEqual(up?.to, { route: 'loop', level: 224 });
      const full = { ...replies, busyShare: 0.97, throughput: 2_000, inFlight: 224, spanMs: 120 };
      const stay = law.next(window(full));
      assert.equal(stay?.because.kind, 'saturated-stay');
      assert.deepEqual(stay?.to, { route: 'loop', level: 224 });
      // Short waits leave room for fewer: the same thread, saturated from the start by
      // replies of 5 ms (6 with queueing), tries as few as cover them twice over (2,000/s ×
      // 5.5 ms, between the fastest and the mean, × 1.1 ≈ 12), so 25.
      const short = new Law(noThreads, { route: 'loop', level: 224 });
      const fewer = judged(short, window({ ...full, fastestMs: 5, latencyMs: 6 }));
      assert.equal(fewer?.because.kind, 'thin');
      assert.deepEqual(fewer?.to, { route: 'loop', level: 25 });
    });

    it('keeps a climb that made the thread saturated only if it paid', () => {
      const paid = new Law(noThreads, { route: 'loop', level: 64 });
      paid.next(window({ busyShare: 0.5 }));
      const on = paid.next({ ...gappy, inFlight: 128, throughput: 1_600 });
      assert.equal(on?.because.kind, 'fill');
      assert.deepEqual(on?.to, { route: 'loop', level: 256 });
      const unpaid = new Law(noThreads, { route: 'loop', level: 64 });
      unpaid.next(window({ busyShare: 0.5 }));
      const back = unpaid.next({ ...gappy, inFlight: 128, throughput: 1_050 });
      assert.equal(back?.because.kind, 'saturated-stay');
      assert.deepEqual(back?.to, { route: 'loop', level: 64 });
    });
  });

  describe('a step up stopped by a calling thread still warming up', () => {
    const noThreads = { ...context, threadsUnavailable: 'a plain function cannot be sent' };
    /** The law held at 64 after a step to 128 met the thread saturated at 0.3 ms of CPU per task. */
    const stopped = () => {
      const law = new Law(noThreads, { route: 'loop', level: 64 });
      law.next(window({ busyShare: 0.5, cpuPerTaskMs: 0.2 }));
      const up = { busyShare: 0.97, cpuPerTaskMs: 0.3, inFlight: 128, throughput: 1_050 };
      const back = law.next(window(up));
      assert.equal(back?.because.kind, 'saturated-stay');
      assert.deepEqual(back?.to, { route: 'loop', level: 64 });
      return law;
    };

    it('tries it again at once when the held level shows far less CPU per task', () => {
      const law = stopped();
      // Its JIT has compiled the hot paths since: 0.1 ms a task instead of 0.3 ms.
      const probe = law.next(window({ busyShare: 0.15, cpuPerTaskMs: 0.1 }));
      assert.equal(probe?.because.kind, 'probe');
      assert.deepEqual(probe?.to, { route: 'loop', level: 128 });
    });

    it('holds as usual while the CPU per task stays near what stopped it', () => {
      const law = stopped();
      const held = window({ busyShare: 0.4, cpuPerTaskMs: 0.25 });
      for (let i = 0; i < 4; i++) assert.equal(law.next(held), undefined);
    });
  });
});

/**
 * The control law on a calling thread that is, or is becoming, the bottleneck: when the
 * work moves to worker threads and with how many tasks per worker, and when it stays (a
 * thread still warming up: `law-warming.test.ts`). Scripted windows (see `law-windows.ts`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHUNK_MS } from '../../../src/core/chunks.js';
import { sendMs } from '../../../src/runners/auto/handover.js';
import { Law } from '../../../src/runners/auto/law.js';
import type { WindowSummary } from '../../../src/runners/auto/measures.js';
import type { LawContext, Measured } from '../../../src/runners/auto/moves.js';
import { explain } from '../../../src/runners/auto/reasons.js';
import {
  CHUNK_DISPATCH_MS,
  MAX_TASKS_PER_WORKER,
  SATURATED_FOR_MS,
  TASK_DISPATCH_MS,
} from '../../../src/runners/auto/settings.js';
import { computing, context, judged, mapContext, window } from './law-windows.js';

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

  it("sends a saturated thread's work to threads after two windows, with as many per worker as may cover its waits", () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    // 64 in flight at 240/s: 267 ms each, most of it waiting for the others' 4 ms of CPU.
    const run = { busyShare: 0.97, cpuPerTaskMs: 4, fastestMs: 12, throughput: 240 };
    const saturated = window({ ...run, latencyMs: 267 });
    assert.equal(law.next(saturated), undefined, 'the first window also paid for starting up');
    const move = law.next(saturated);
    assert.equal(move?.because.kind, 'saturated');
    // A task's own time lies between 12 ms and 267 ms: √(12 × 267) ≈ 57 ms of 4 ms CPU each.
    assert.deepEqual(move?.to, { route: 'threads', level: 14 });
    // Where tasks barely queued on the thread, the fastest is most of the mean.
    const unqueued = new Law(context, { route: 'loop', level: 64 });
    unqueued.next(window({ ...run, latencyMs: 13 }));
    assert.deepEqual(unqueued.next(window({ ...run, latencyMs: 13 }))?.to, {
      route: 'threads',
      level: 3,
    });
    // Tasks that only compute, in a first window whose CPU also paid for starting up
    // outside the calls: the fastest took less than the mean CPU, so queueing alone made
    // the mean long, and one per worker keeps each busy.
    const computing = { busyShare: 1, cpuPerTaskMs: 11.7, fastestMs: 6.9, callShare: 0.63 };
    const startingUp = new Law(context, { route: 'loop', level: 64 });
    startingUp.next(window({ ...computing, throughput: 16, latencyMs: 64 }));
    assert.deepEqual(startingUp.next(window({ ...computing, throughput: 16, latencyMs: 64 }))?.to, {
      route: 'threads',
      level: 1,
    });
  });

  it('keeps tasks on the calling thread when something else kept it busy, and climbs there', () => {
    // 20 ms sleeps, 64 at a time, finishing 583/s at 246 µs of CPU each: busy 100%, though
    // the tasks held the thread 14% of its time (the rest, neither idle nor waiting for a
    // CPU, went to something else: a process loading code on a loaded machine, say).
    const sleeps = { busyShare: 1, cpuPerTaskMs: 0.246, fastestMs: 20, latencyMs: 110 };
    const heldElsewhere = window({ ...sleeps, throughput: 583, heldShare: 0.14 });
    const law = new Law(context, { route: 'loop', level: 64 });
    const move = law.next(heldElsewhere) ?? law.next(heldElsewhere);
    assert.equal(move?.to.route, 'loop');
    assert.ok(move.to.level > 64, `more in flight, not ${move.to.level}`);
    assert.equal(law.threadsLikely, false);
    // Held by the tasks all that time, the same windows would make it their bottleneck.
    const heldByTasks = window({ ...sleeps, throughput: 583 });
    const saturated = new Law(context, { route: 'loop', level: 64 });
    assert.equal(judged(saturated, heldByTasks)?.to.route, 'threads');
  });

  it('moves tasks that only compute to threads however much else held the calling thread: workers take all of their time off it', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const move = judged(law, window({ ...computing, throughput: 60, heldShare: 0.24 }));
    assert.equal(move?.because.kind, 'saturated');
    assert.deepEqual(move.to, { route: 'threads', level: 1 });
  });

  describe('after a window that kept up', () => {
    // Replies of 20–200 ms, each parsed for 2 ms: 64 at a time leave the thread time to spare.
    const keptUp = window({ busyShare: 0.6, cpuPerTaskMs: 2, fastestMs: 22, latencyMs: 110 });
    const climbed = (law: Law) => {
      const up = law.next(keptUp);
      assert.equal(up?.to.route, 'loop');
      return up.to.level;
    };

    it('sends the work to threads after one saturated window, each worker holding enough to cover the mean wait', () => {
      const law = new Law(context, { route: 'loop', level: 64 });
      const level = climbed(law);
      const saturated = { busyShare: 0.99, cpuPerTaskMs: 1.9, fastestMs: 25, latencyMs: 160 };
      const move = law.next(window({ ...saturated, spanMs: 120, inFlight: level }));
      assert.equal(move?.because.kind, 'saturated');
      // The mean of the window that kept up (110 ms) ÷ 1.9 ms: the fastest reply (25 ms)
      // would leave each worker idle most of the time.
      assert.deepEqual(move?.to, { route: 'threads', level: 58 });
    });

    it('covers the mean wait where the window that kept up closed on its quickest replies', () => {
      // Replies of 20–200 ms parsed for 0.5 ms: the first window closed on the first 32 of
      // the 64 started, a mean of 48 ms, while 64 in flight finishing 390 a second take
      // 164 ms each (Little's law).
      const law = new Law(
        { ...context, maxPerWorker: MAX_TASKS_PER_WORKER },
        { route: 'loop', level: 64 },
      );
      const replies = { cpuPerTaskMs: 0.5, fastestMs: 20 };
      const first = { ...replies, busyShare: 0.2, latencyMs: 48, completions: 32, throughput: 390 };
      const up = law.next(window(first));
      assert.deepEqual(up?.to, { route: 'loop', level: 224 });
      const saturated = { ...replies, busyShare: 0.99, latencyMs: 126, throughput: 1_857 };
      const move = law.next(window({ ...saturated, inFlight: 224, completions: 224, spanMs: 120 }));
      assert.equal(move?.because.kind, 'saturated');
      // 164 ms ÷ 0.5 ms; the quickest half's mean would give 96, a worker able to finish
      // 2,000 a second then finishing under 600.
      assert.deepEqual(move?.to, { route: 'threads', level: 328 });
    });

    it("decides nothing on a window that could not tell the process's other threads from the workers starting", () => {
      // Waiting for a CPU nearly all the time, while the workers' CPU is not known: their
      // start may be what kept it waiting, which the move would end.
      const waits = { ...computing, spanMs: 40, contention: 0.95 };
      const unknowing = new Law(context, { route: 'loop', level: 64 });
      assert.equal(unknowing.next(window({ ...waits, othersUnknown: true })), undefined);
      assert.equal(unknowing.threadsRuledOut, false, 'the workers go on starting');
      assert.equal(unknowing.threadsLikely, true);
      // Told apart, the same waits are other programs': threads are ruled out.
      const knowing = new Law(context, { route: 'loop', level: 64 });
      assert.notEqual(knowing.next(window(waits))?.to.route, 'threads');
      assert.equal(knowing.threadsRuledOut, true);
      assert.equal(knowing.threadsLikely, false);
    });

    it('stops the workers starting when, even without their CPU or their start in the window, they would not pay', () => {
      // Tiny tasks whose first window paid for compiling them (0.3 ms of CPU a task) start
      // the workers; the next, with their start in it, shows 10 µs: the gain could be 1.4×
      // at most, however little CPU the process's other threads turn out to need.
      const law = new Law(context, { route: 'loop', level: 64 });
      const tiny = { busyShare: 1, fastestMs: 0.5, callShare: 0.1, spanMs: 40 };
      law.next(window({ ...tiny, cpuPerTaskMs: 0.3 }));
      assert.equal(law.threadsLikely, true);
      law.next(window({ ...tiny, cpuPerTaskMs: 0.01, othersUnknown: true }));
      assert.equal(law.threadsLikely, false);
    });

    it('waits for a second saturated window when the CPU per task fell since (the thread was warming up)', () => {
      const law = new Law(context, { route: 'loop', level: 64 });
      const level = climbed(law);
      const saturated = window({ busyShare: 0.99, cpuPerTaskMs: 1, spanMs: 120, inFlight: level });
      assert.equal(law.next(saturated), undefined);
      assert.equal(law.next(saturated)?.because.kind, 'saturated');
    });
  });

  describe('on a step up that queued nothing, the calling thread filling up', () => {
    // Replies of 20–200 ms, each parsed for 0.55 ms: 64 in flight keep the thread 30% busy.
    const replies = { cpuPerTaskMs: 0.55, latencyMs: 110, fastestMs: 20, callShare: 0.02 };
    const at64 = { route: 'loop', level: 64 } as const;
    /** The law after its first window, and the level it stepped up to (149: 0.7 ÷ 0.3 × 64). */
    const climbing = () => {
      const law = new Law({ ...mapContext, maxPerWorker: MAX_TASKS_PER_WORKER }, at64);
      const up = law.next(window({ ...replies, busyShare: 0.3, throughput: 580 }));
      assert.equal(up?.because.kind, 'room');
      return { law, level: up.to.level };
    };
    /** A window at `level` whose throughput rose `gain` times over the first one's. */
    const stepped = (level: number, gain: number, w: Partial<WindowSummary>) =>
      window({ ...replies, inFlight: level, throughput: 580 * gain, ...w });

    it('moves the work to threads before the thread saturates, when they would beat it saturated', () => {
      const { law, level } = climbing();
      const move = law.next(stepped(level, level / 64, { busyShare: 0.7 }));
      assert.equal(move?.because.kind, 'saturating');
      // As many per worker as cover the mean reply: 110 ms ÷ 0.55 ms.
      assert.deepEqual(move?.to, { route: 'threads', level: 200 });
      assert.equal(
        explain(move!, 2),
        '149 at a time on this thread finished 1,350 tasks/s, more in proportion to its tasks in flight, with this thread busy 70% of the time at 550 µs of CPU per task: at about 213 at a time on this thread it would be the bottleneck, finishing about 1,929 tasks/s, and 2 worker threads should finish about 1.9× as many, with 200 per worker on 2 threads.',
      );
    });

    it('projects nothing where its tasks held the thread for little of its busy time', () => {
      const { law, level } = climbing();
      const move = law.next(stepped(level, level / 64, { busyShare: 0.7, heldShare: 0.2 }));
      assert.equal(move?.because.kind, 'climb');
      assert.equal(move.to.route, 'loop');
    });

    it('projects nothing from a step that finished clearly more than in proportion (the level before was slowed by the start)', () => {
      const law = new Law({ ...mapContext, maxPerWorker: MAX_TASKS_PER_WORKER }, at64);
      // The first window still compiling and loading: half the throughput, twice the CPU.
      const slowed = window({ ...replies, busyShare: 0.3, throughput: 290, cpuPerTaskMs: 1.1 });
      const up = law.next(slowed);
      assert.equal(up?.because.kind, 'room');
      const level = up.to.level;
      // 1,350 tasks/s: twice what the added tasks in flight could bring over 290, which
      // queueing cannot explain.
      const move = law.next(stepped(level, level / 64, { busyShare: 0.7 }));
      assert.equal(move?.because.kind, 'climb');
      assert.equal(move.to.route, 'loop');
      // Where the thread does saturate, the work still moves.
      const saturated = stepped(move.to.level, 2 * (level / 64), { busyShare: 0.99 });
      let moved: ReturnType<Law['next']>;
      for (let i = 0; i < 3 && !moved; i++) moved = law.next(saturated);
      assert.equal(moved?.because.kind, 'saturated');
      assert.equal(moved.to.route, 'threads');
    });

    it('judges the threads against the thread as projected, goes back to where it would saturate, and projects no more', () => {
      const { law, level } = climbing();
      law.next(stepped(level, level / 64, { busyShare: 0.7 }));
      // Busy workers finishing more than the thread measured (1,350/s) but not clearly more
      // than it would saturated (1,929/s): the work goes back, at the projected level.
      const threads = window({ ...replies, throughput: 1_950, inFlight: 400, othersBusy: 1.8 });
      const back = judged(law, threads);
      assert.equal(back?.because.kind, 'threads-slower');
      assert.deepEqual(back?.to, { route: 'loop', level: 213 });
      // Held there, then probed: a step up that queued nothing is climbed, not projected.
      const held = window({ ...replies, inFlight: 213, throughput: 1_900, busyShare: 0.8 });
      let probe: ReturnType<Law['next']>;
      for (let i = 0; i < 64 && !probe; i++) probe = law.next(held);
      assert.equal(probe?.because.kind, 'probe');
      const up = law.next(stepped(426, 6.5, { busyShare: 0.8 }));
      assert.equal(up?.because.kind, 'climb');
      assert.equal(up.to.route, 'loop');
    });

    /** A step up from the first window that gained, though less than in proportion (80% of it). */
    const queuedABit = (level: number, w: Partial<WindowSummary> = {}) => {
      const gain = (0.8 * level) / 64;
      return stepped(level, gain, { busyShare: 0.3 * gain, ...w });
    };

    it('starts the workers loading as it steps up towards that, before any move', () => {
      const { law, level } = climbing();
      assert.equal(
        law.threadsLikely,
        false,
        "not on the first window: its CPU per task may be the start's (loading, compiling)",
      );
      const up = law.next(queuedABit(level));
      assert.equal(up?.because.kind, 'climb');
      // 149 ÷ 56% busy: saturated at about 267, where threads would finish 1.9× as many.
      assert.equal(law.threadsLikely, true);
    });

    const unlikely: [string, Partial<WindowSummary>, Partial<LawContext>][] = [
      ['the thread would saturate only past its most in flight', { busyShare: 0.05 }, {}],
      ['threads would not beat it saturated (tasks of 0.1 ms)', { cpuPerTaskMs: 0.1 }, {}],
      ['threads cannot run the task', {}, { threadsUnavailable: 'only one CPU is usable' }],
      ['its tasks held the thread for little of its busy time', { heldShare: 0.2 }, {}],
      [
        'the work left would be done before they could start',
        {},
        { remaining: () => 100, msToWorkers: () => 300 },
      ],
    ];
    for (const [where, w, setting] of unlikely) {
      it(`starts no workers where ${where}`, () => {
        const law = new Law(
          { ...mapContext, maxPerWorker: MAX_TASKS_PER_WORKER, ...setting },
          at64,
        );
        const up = law.next(window({ ...replies, busyShare: 0.3, throughput: 580, ...w }));
        assert.equal(up?.to.route, 'loop');
        const climb = law.next(queuedABit(up.to.level, w));
        assert.equal(climb?.because.kind, 'climb');
        assert.equal(law.threadsLikely, false);
      });
    }

    it('decides a step up before a full turnover when even the strict estimate rose in proportion', () => {
      const { law, level } = climbing();
      const ratio = level / 64;
      const early = (gain: number) => stepped(level, gain, { busyShare: 0.5 });
      assert.equal(law.settles(early(ratio * 1.2), early(ratio)), true, 'nothing queued');
      // Kindly it rose in proportion, strictly only 1.5×: a full turnover tells.
      assert.equal(law.settles(early(ratio), early(1.5)), false, 'it may have queued');
      assert.equal(law.settles(early(1.05), early(1)), true, 'no gain, even kindly');
    });

    const climbs: [string, number, Partial<WindowSummary>][] = [
      ['a step that queued: its gain does not extrapolate', 1.5, { busyShare: 0.7 }],
      ['the thread would saturate only past its most in flight', 149 / 64, { busyShare: 0.1 }],
      [
        'threads would not beat the saturated thread clearly (tasks of 0.1 ms)',
        149 / 64,
        { busyShare: 0.3, cpuPerTaskMs: 0.1 },
      ],
    ];
    for (const [where, gain, w] of climbs) {
      it(`climbs on where ${where}`, () => {
        const { law, level } = climbing();
        const move = law.next(stepped(level, gain, w));
        assert.equal(move?.because.kind, 'climb');
        assert.equal(move.to.route, 'loop');
      });
    }
  });

  it('gives tasks that only compute, in their call, one per worker', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const saturated = window(computing);
    law.next(saturated);
    assert.deepEqual(law.next(saturated)?.to, { route: 'threads', level: 1 });
  });

  it('judges what a task waits by the fastest task of the whole saturated run', () => {
    // In the second window every task queued behind others' calls: alone it would read as waiting.
    const law = new Law(context, { route: 'loop', level: 64 });
    const compute = { busyShare: 1, cpuPerTaskMs: 20, callShare: 0.95, spanMs: 60 };
    law.next(window({ ...compute, fastestMs: 21 }));
    assert.deepEqual(law.next(window({ ...compute, fastestMs: 45 }))?.to, {
      route: 'threads',
      level: 1,
    });
  });

  it('gives tasks that compute in their call and then wait enough per worker to cover the wait', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const saturated = window({ busyShare: 1, cpuPerTaskMs: 10, fastestMs: 20, callShare: 0.95 });
    law.next(saturated);
    assert.deepEqual(law.next(saturated)?.to, { route: 'threads', level: 2 });
  });

  it('moves tasks that block in their synchronous call to workers, one each: a worker is held as long as this thread', () => {
    // Atomics.wait of 2 ms: 85 µs of CPU, but the thread held for 2.1 ms a task, alone in a
    // message (30 µs). Two workers finish about twice as many.
    const blocking = { busyShare: 1, cpuPerTaskMs: 0.085, fastestMs: 2.1, callShare: 1 };
    const after = (heldPerTaskMs: number) => {
      const law = new Law(mapContext, { route: 'loop', level: 64 });
      const w = window({ ...blocking, heldPerTaskMs, spanMs: 100 });
      law.next(w);
      return law.next(w)?.to;
    };
    assert.deepEqual(after(2.1), { route: 'threads', level: 1 });
    // Were it held for its CPU alone, the message would cost a third of it: 1.5×, no move.
    assert.equal(after(0.085)?.route, 'loop');
  });

  it('keeps CPU work on the calling thread when the caller awaits each task before the next: one worker would run it no faster', () => {
    /** Two saturated windows of tasks computing 4 ms, `inFlight` at once and `waiting` more offered. */
    const after = (inFlight: number, waiting: number) => {
      const law = new Law({ ...context, waiting: () => waiting }, { route: 'loop', level: 64 });
      const w = window({ ...computing, inFlight });
      law.next(w);
      return law.next(w);
    };
    const oneAtATime = after(1, 0);
    assert.equal(oneAtATime?.to.route, 'loop');
    assert.ok(oneAtATime && 'why' in oneAtATime.because);
    assert.match(oneAtATime.because.why, /the tasks come one at a time/);
    // Eight submitted at once, or a map that reads ahead: the workers can run two at once.
    assert.deepEqual(after(8, 0)?.to, { route: 'threads', level: 1 });
    assert.deepEqual(after(1, 63)?.to, { route: 'threads', level: 1 });
  });

  it('keeps the work on the calling thread when other work keeps every CPU busy, and says so', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const contended = window({ busyShare: 1, cpuPerTaskMs: 2, fastestMs: 2, contention: 0.8 });
    assert.equal(law.next(contended), undefined, 'the first window may have paid for the start');
    const move = law.next(contended);
    assert.equal(move?.because.kind, 'thin');
    assert.equal(move.to.route, 'loop');
    assert.match(
      move.because.why,
      /other work keeps this machine's CPUs busy \(this thread waited for one 80%/,
    );
    const back = law.next({ ...contended, inFlight: 32 });
    assert.equal(back?.because.kind, 'thin-failed');
    assert.deepEqual(back.to, { route: 'loop', level: 64 });
    assert.equal(law.next(contended), undefined, 'and holds there');
  });

  it("moves to threads although the workers' own start made one window of the run contended", () => {
    // Workers begin to start as soon as a move looks likely; until they are up they take
    // CPU from this thread, which must not count as other work keeping the machine busy.
    const law = new Law(context, { route: 'loop', level: 64 });
    assert.equal(law.next(window(computing)), undefined);
    assert.equal(law.threadsLikely, true);
    const move = law.next(window({ ...computing, contention: 0.5, othersBusy: 1 }));
    assert.equal(move?.because.kind, 'saturated');
    assert.deepEqual(move?.to, { route: 'threads', level: 1 });
  });

  it(`moves only on saturated windows that span ${SATURATED_FOR_MS} ms: a thread warming up looks busier than it will be`, () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const short = window({ ...computing, spanMs: 20 });
    const before = Math.ceil(SATURATED_FOR_MS / 20) - 1;
    assert.equal(law.comparing, false, 'the first window only reads the busy share');
    for (let i = 0; i < before; i++) assert.equal(law.next(short), undefined, `window ${i + 1}`);
    assert.equal(law.threadsLikely, true, 'the workers start loading meanwhile');
    // The run's windows may become the baseline the threads must beat: a burst of
    // completions in a window shorter than a turnover would overstate it.
    assert.equal(law.comparing, true, 'so they last a full turnover');
    assert.equal(law.next(short)?.because.kind, 'saturated');
  });

  it('counts the messages the workers would send: one per task of 2 ms or more start to end, a share of one for quicker tasks in chunks', () => {
    const quick = window({ callShare: 0.95, fastestMs: 0.1 });
    const slow = window({ callShare: 0.95, fastestMs: CHUNK_MS });
    const perChunk = CHUNK_MS / 0.1;
    assert.equal(
      sendMs(quick, true),
      CHUNK_DISPATCH_MS + (TASK_DISPATCH_MS - CHUNK_DISPATCH_MS) / perChunk,
    );
    assert.equal(sendMs(slow, true), TASK_DISPATCH_MS);
    assert.equal(sendMs(quick, false), TASK_DISPATCH_MS, 'a submit is a message of its own');
    const chunkHere = window({ callShare: 0.95, fastestMs: 0.1 * 10, inputsPerRun: 10 });
    assert.equal(sendMs(chunkHere, true), sendMs(quick, true), 'per input of a chunk run here');
    // Hashing for 0.13 ms, then waiting 6 ms: one to a message, 2 workers would finish
    // 1.6× as many — not worth the move, whether the CPU comes before the wait or after.
    // Without the wait, 13 to a message: 1.9×.
    const hashThenWait = { busyShare: 1, cpuPerTaskMs: 0.13, fastestMs: 6, callShare: 0.95 };
    for (const callShare of [0.95, 0.1]) {
      const law = new Law(mapContext, { route: 'loop', level: 64 });
      law.next(window({ ...hashThenWait, callShare }));
      assert.equal(law.threadsLikely, false, `callShare ${callShare}`);
      assert.equal(law.next(window({ ...hashThenWait, callShare }))?.to.route, 'loop');
    }
    const law = new Law(mapContext, { route: 'loop', level: 64 });
    assert.equal(law.next(window({ ...hashThenWait, fastestMs: 0.15 })), undefined);
    assert.equal(law.threadsLikely, true, 'the same CPU in quick tasks is worth sending');
  });

  it('reads a window that held fewer tasks than its limit as saying nothing about the limit', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    assert.equal(law.next(window({ inFlight: 10 })), undefined);
    assert.deepEqual(law.at, { route: 'loop', level: 64 } satisfies Omit<
      Measured,
      keyof WindowSummary
    >);
  });
});

/**
 * The control law on a step up that queued nothing, the calling thread filling up: it
 * projects where the thread would saturate and moves the work to worker threads before
 * that when they would beat it, starts the workers loading as it climbs towards it, and
 * climbs on where the projection does not hold. Scripted windows (see `law-windows.ts`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Law } from '../../../src/runners/auto/law.js';
import type { WindowSummary } from '../../../src/runners/auto/measures.js';
import type { LawContext } from '../../../src/runners/auto/moves.js';
import { explain } from '../../../src/runners/auto/reasons.js';
import { MAX_TASKS_PER_WORKER } from '../../../src/runners/auto/settings.js';
import { judged, mapContext, window } from './law-windows.js';

describe('the control law, on a saturated calling thread', () => {
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
});

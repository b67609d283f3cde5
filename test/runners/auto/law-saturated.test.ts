/**
 * The control law on a calling thread that is the bottleneck: when the work moves to worker
 * threads and with how many tasks per worker, and when it stays (other work holding the
 * thread or the CPUs, tasks that come one at a time). Where threads cannot help:
 * `law-saturated-no-threads.test.ts`; before the thread saturates: `law-saturating.test.ts`;
 * a thread still warming up: `law-warming.test.ts`. Scripted windows (see `law-windows.ts`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHUNK_MS } from '../../../src/core/chunks.js';
import { gainBound, sendMs } from '../../../src/runners/auto/handover.js';
import { Law } from '../../../src/runners/auto/law.js';
import type { WindowSummary } from '../../../src/runners/auto/measures.js';
import type { Measured } from '../../../src/runners/auto/moves.js';
import {
  CHUNK_DISPATCH_MS,
  MAX_TASKS_PER_WORKER,
  SATURATED_FOR_MS,
  TASK_DISPATCH_MS,
} from '../../../src/runners/auto/settings.js';
import { computing, context, judged, mapContext, window } from './law-windows.js';

describe('the control law, on a saturated calling thread', () => {
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

  it('moves tiny tasks a map ran here in chunks to one run per worker: a chunk takes its inputs’ time together, it does not wait', () => {
    // Chunks of 10 inputs of 0.1 ms each, computed in the call: 1 ms a chunk.
    const chunks = window({
      ...computing,
      cpuPerTaskMs: 0.1,
      fastestMs: 1,
      latencyMs: 8,
      inputsPerRun: 10,
      throughput: 10_000,
    });
    const move = judged(new Law(mapContext, { route: 'loop', level: 64 }), chunks);
    assert.deepEqual(move?.to, { route: 'threads', level: 1 });
    // What the workers can hold counts per input too: 64 chunks of 100 such inputs on each
    // of 2 workers finish 1.28 million a second, not 12,800 — no bound on 10,000 a second.
    const long = { ...chunks, fastestMs: 10, inputsPerRun: 100, route: 'loop', level: 64 } as const;
    assert.equal(gainBound(long, mapContext, 0).by, 'computing');
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

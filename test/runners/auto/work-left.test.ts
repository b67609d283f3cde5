/**
 * Whether the work left pays for moving it to worker threads (`work-left.ts`), and the law
 * keeping a job on the calling thread that would be done before the workers could take it.
 * Scripted windows (see `law-windows.ts`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Law } from '../../../src/runners/auto/law.js';
import type { LawContext, Measured } from '../../../src/runners/auto/moves.js';
import { explain } from '../../../src/runners/auto/reasons.js';
import { tooLittleLeft, WorkLeft } from '../../../src/runners/auto/work-left.js';
import { computing, context, window } from './law-windows.js';

/** A saturated thread finishing 250 tasks of 4 ms a second. */
const saturated = window({ ...computing, throughput: 250 });
const at: Measured = { ...saturated, route: 'loop', level: 64 };

/** `context` where `remaining` tasks are all there is, and the workers take `startMs` to be ready. */
const knowing = (remaining: number | undefined, startMs: number): LawContext => ({
  ...context,
  remaining: () => remaining,
  msToWorkers: () => startMs,
});

describe('the work left to do', () => {
  /** A run of a map, and what its `ended` was told. */
  const mapRun = () => {
    const told: [number, number][] = [];
    return { run: { ended: (c: number, f: number) => told.push([c, f]) }, told };
  };

  it('counts the inputs begun and those each map has yet to read, down as they end', () => {
    const left = new WorkLeft();
    let unread = 10;
    const stop = left.mapReading(() => unread);
    const { run, told } = mapRun();
    const begun = left.offered(run, 5);
    unread -= 5;
    assert.equal(left.remaining(), 10);
    begun.ended(4, 1);
    assert.deepEqual(told, [[4, 1]], 'the run hears how it ended');
    assert.equal(left.remaining(), 5);
    unread = 0;
    stop();
    assert.equal(left.remaining(), 0);
  });

  it('knows nothing while a map cannot tell what it has yet to read, nor ever after a submit', () => {
    const left = new WorkLeft();
    const stop = left.mapReading(() => undefined);
    assert.equal(left.remaining(), undefined);
    stop();
    assert.equal(left.remaining(), 0);
    // Accepted while its module loaded, a submit reaches the runner no longer refusable:
    // it still says that more may come.
    const submitted = { ended: () => {}, refusable: false, submitted: true };
    assert.equal(left.offered(submitted, 1), submitted, 'a submit runs as it came');
    assert.equal(left.remaining(), undefined);
  });

  it('is what was begun and not ended, whatever the order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.boolean())), (runs) => {
        const left = new WorkLeft();
        const pending: { ended: (c: number, f: number) => void; inputs: number }[] = [];
        let expected = 0;
        for (const [inputs, endNow] of runs) {
          pending.push({ ...left.offered({ ended: () => {} }, inputs), inputs });
          expected += inputs;
          if (endNow) {
            const done = pending.splice(Math.floor(pending.length / 2), 1)[0]!;
            done.ended(done.inputs, 0);
            expected -= done.inputs;
          }
          assert.equal(left.remaining(), expected);
        }
      }),
    );
  });
});

describe('the work left, against the workers’ start', () => {
  it('is too little when this thread would be done before the workers could start', () => {
    // 40 tasks at 250/s: 160 ms here, against a start of 250 ms.
    assert.deepEqual(tooLittleLeft(at, 1.9, knowing(40, 250)), {
      remaining: 40,
      hereMs: 160,
      startMs: 250,
    });
  });

  it('is too little when the start would eat what the workers would win after it', () => {
    // 100 tasks: 400 ms here; moved, 250 ms of start (while this thread, sharing 2 CPUs with
    // 2 starting workers, finishes about 42), then 58 at 475/s: 372 ms — on the edge, a win.
    assert.equal(tooLittleLeft(at, 1.9, knowing(100, 250)), undefined);
    // With workers predicted to finish only 1.2× as many: 250 + 58 ÷ 300/s = 443 ms > 400 ms.
    assert.equal(tooLittleLeft(at, 1.2, knowing(100, 250))?.remaining, 100);
  });

  it('pays once the work is long enough, and always once the workers have the task', () => {
    assert.equal(tooLittleLeft(at, 1.9, knowing(2_000, 250)), undefined);
    assert.equal(tooLittleLeft(at, 1.9, knowing(1, 0)), undefined);
  });

  it('weighs only the inputs not yet begun: those in flight here end here either way', () => {
    // 100 left pays (above); with 60 of them in flight, the 40 to move do not.
    const inFlight = (begun: number): LawContext => ({
      ...knowing(100, 250),
      inFlightHere: () => begun,
    });
    assert.deepEqual(tooLittleLeft(at, 1.9, inFlight(60)), {
      remaining: 40,
      hereMs: 160,
      startMs: 250,
    });
    // All of it begun: nothing to move, even to workers already running.
    assert.equal(tooLittleLeft(at, 1.9, { ...inFlight(100), msToWorkers: () => 0 })?.remaining, 0);
    assert.equal(tooLittleLeft(at, 1.9, inFlight(0)), undefined);
  });

  it('says nothing while more work may come, or without a start estimate', () => {
    assert.equal(tooLittleLeft(at, 1.9, knowing(undefined, 250)), undefined);
    assert.equal(tooLittleLeft(at, 1.9, context), undefined);
  });

  it('is too little for any less work when it is for some (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 1.01, max: 16, noNaN: true }),
        fc.double({ min: 0, max: 5_000, noNaN: true }),
        fc.double({ min: 1, max: 100_000, noNaN: true }),
        (more, fewer, gain, startMs, throughput) => {
          const m = { ...at, throughput };
          const less = Math.min(fewer, more);
          if (tooLittleLeft(m, gain, knowing(more, startMs)))
            assert.ok(tooLittleLeft(m, gain, knowing(less, startMs)));
          // And a start already done never makes a faster place too slow.
          assert.equal(tooLittleLeft(m, gain, knowing(more, 0)), undefined);
        },
      ),
    );
  });
});

describe('the control law, with the work left known', () => {
  /** The law after two saturated windows of 4 ms tasks, in `setting`. */
  const after = (setting: LawContext) => {
    const law = new Law(setting, { route: 'loop', level: 64 });
    law.next(saturated);
    return { law, move: law.next(saturated) };
  };

  it('keeps a job on this thread that would be done before the workers could take it, and says so', () => {
    const { law, move } = after(knowing(40, 250));
    assert.equal(move?.to.route, 'loop');
    assert.equal(law.threadsLikely, false, 'no workers started for it');
    assert.equal(law.threadsRuledOut, true, 'nor kept starting');
    assert.match(
      explain(move!, 2),
      /but worker threads would finish \d\.\d× as many once started, and the 40 tasks not yet begun would all be under way here within about 160 ms, too soon to pay for starting them \(about 250 ms\)/,
    );
  });

  it('keeps a job all of whose tasks have begun here, and says so without figures of nothing', () => {
    const { move } = after({ ...knowing(64, 0), inFlightHere: () => 64 });
    assert.equal(move?.to.route, 'loop');
    assert.match(
      explain(move!, 2),
      /but worker threads would finish \d\.\d× as many, yet every task has begun here, and those under way end here either way/,
    );
  });

  it('moves a job that pays for the start, or whose end is not known', () => {
    assert.equal(after(knowing(2_000, 250)).move?.to.route, 'threads');
    assert.equal(after(knowing(undefined, 250)).move?.to.route, 'threads');
  });
});

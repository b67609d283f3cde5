/**
 * The measurement window, driven by a scripted clock and busy counters: when it closes,
 * when it begins again, and what it reads over its later half.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusyReading } from '../../../src/runners/auto/measures.js';
import { MIN_COMPLETIONS, MIN_WINDOW_MS } from '../../../src/runners/auto/settings.js';
import { MeasurementWindow } from '../../../src/runners/auto/window.js';

describe('a measurement window', () => {
  // A chunk of 25 inputs is one completion to time: a window of two chunks measures a rate
  // no better than a window of two tasks.
  for (const inputs of [1, 25]) {
    it(`closes on completed runs, not inputs (runs of ${inputs})`, () => {
      let now = 0;
      const busy: BusyReading = { cpuMs: 0, idleMs: 0 };
      const window = new MeasurementWindow({ now: () => now, busy: () => busy }, 0, false, true);
      let runs = 0;
      for (let closed: string | undefined; !closed; runs++) {
        now += 1;
        closed = window.finished(now, 4, 1, inputs, true);
      }
      assert.equal(runs, Math.max(MIN_COMPLETIONS, MIN_WINDOW_MS));
      assert.equal(window.summary(now).completions, inputs * runs);
    });
  }

  /**
   * Runs a window compared with another (so it lasts a turnover) with 4 tasks in flight,
   * run `n` finishing `gapMs(n)` ms after the one before; returns how many runs finished
   * before it closed, and the span of what it measured. `computing`: the calling thread
   * computes all the time (else it sits idle).
   */
  function untilClosed(
    gapMs: (run: number) => number,
    computing = false,
  ): { runs: number; spanMs: number } {
    let now = 0;
    const busy = (): BusyReading =>
      computing ? { cpuMs: now, idleMs: 0 } : { cpuMs: 0, idleMs: now };
    const window = new MeasurementWindow({ now: () => now, busy }, 0, true, true);
    let runs = 0;
    for (let closed: string | undefined; closed !== 'full'; runs++) {
      const gap = gapMs(runs);
      now += gap;
      closed = window.finished(now, 4, 4 * gap, 1, true);
      assert.ok(runs < 100_000, 'the window never closed');
    }
    return { runs, spanMs: window.summary(now).spanMs };
  }

  const steadyRuns = Math.max(MIN_COMPLETIONS, MIN_WINDOW_MS);

  it('closes a steady window as soon as it has enough', () => {
    assert.deepEqual(
      untilClosed(() => 1),
      { runs: steadyRuns, spanMs: steadyRuns },
    );
  });

  it('begins again, twice as long, when its halves disagree', () => {
    // A pause of 60 ms every 64 runs, as garbage collection makes: the first closing
    // point (run 32, 32 ms) sees one in one half only.
    const paused = untilClosed((run) => (run % 64 === 20 ? 60 : 1));
    assert.ok(paused.runs > steadyRuns, `closed after ${paused.runs} runs`);
    assert.ok(paused.spanMs >= 2 * (steadyRuns + 60), `measured ${paused.spanMs} ms`);
  });

  it('does not begin again on a calling thread that computes all the time', () => {
    // Its work is judged by its CPU per task, which the pauses do not change.
    const paused = untilClosed((run) => (run % 64 === 20 ? 60 : 1), true);
    assert.equal(paused.runs, steadyRuns);
  });

  it('closes the third window however its halves disagree', () => {
    // Throughput that halves every 16 runs: the first window could close at run 32; the
    // third lasts at least 4 times as long as that first one, and then closes.
    const gap = (run: number) => 2 ** (run / 16);
    const first = Array.from({ length: steadyRuns }, (_, run) => gap(run)).reduce((a, b) => a + b);
    const falling = untilClosed(gap);
    assert.ok(falling.spanMs >= 4 * first, `measured ${falling.spanMs} ms, first ${first} ms`);
  });

  /**
   * A window not compared with another (a first one), closed after `runs` runs 1 ms apart,
   * on a thread busy `firstBusy` of the time until half of them finished and `laterBusy`
   * after that. Returns the busy shares it read.
   */
  function warming(runs: number, firstBusy: number, laterBusy: number) {
    let now = 0;
    let cpuMs = 0;
    let idleMs = 0;
    const window = new MeasurementWindow(
      { now: () => now, busy: () => ({ cpuMs, idleMs }) },
      0,
      false,
      true,
    );
    for (let run = 1; run <= runs; run++) {
      const share = run <= runs / 2 ? firstBusy : laterBusy;
      now += 1;
      cpuMs += share;
      idleMs += 1 - share;
      window.finished(now, 64, 20, 1, true);
    }
    const { busyShare, recentBusyShare } = window.summary(now);
    return { busyShare, recentBusyShare };
  }

  it('reads the busy share over its later half apart from the whole', () => {
    // A thread warming up: 80% busy over the first 32 runs, 10% over the next 32.
    const read = warming(64, 0.8, 0.1);
    assert.ok(Math.abs(read.busyShare - 0.45) < 1e-9, `whole: ${read.busyShare}`);
    assert.ok(Math.abs(read.recentBusyShare - 0.1) < 1e-9, `later half: ${read.recentBusyShare}`);
    // Busier later on is read as it is, too.
    assert.ok(Math.abs(warming(64, 0.1, 0.8).recentBusyShare - 0.8) < 1e-9);
  });

  it("reads the process's counters only as it opens and closes: its later half needs the thread's", () => {
    let now = 0;
    const full: number[] = [];
    const window = new MeasurementWindow(
      {
        now: () => now,
        busy: (threadOnly) => {
          if (!threadOnly) full.push(now);
          return { cpuMs: now / 10, idleMs: now };
        },
      },
      0,
      false,
      true,
    );
    for (let run = 1; run <= 256; run++) window.finished(++now, 64, 20, 1, true);
    window.summary(now);
    assert.deepEqual(full, [0, 256]);
  });

  it('reads a later half in a slow window of a few runs, and the whole window in one of a single run', () => {
    // 3 runs: the later half begins after the first.
    const few = warming(3, 0.1, 0.9);
    assert.ok(Math.abs(few.recentBusyShare - 0.9) < 1e-9, `later half: ${few.recentBusyShare}`);
    assert.ok(few.busyShare < 0.7, `whole: ${few.busyShare}`);
    // Of 31 runs, the reading after 15 begins the later half.
    assert.ok(Math.abs(warming(MIN_COMPLETIONS - 1, 0.8, 0.1).recentBusyShare - 0.1) < 1e-9);
    const one = warming(1, 0.8, 0.1);
    assert.equal(one.recentBusyShare, one.busyShare);
  });

  /**
   * A window of 64 runs, one a ms, whose every ms holds `cpuMs` of the thread's CPU,
   * `idleMs` of its event loop idle, `waitingMs` waiting for a CPU (the rest blocked) and
   * `callMs` in a task's synchronous call.
   */
  function measured(cpuMs: number, idleMs: number, waitingMs: number, callMs: number) {
    let now = 0;
    const busy = (): BusyReading => ({
      cpuMs: now * cpuMs,
      idleMs: now * idleMs,
      waitingMs: now * waitingMs,
    });
    const window = new MeasurementWindow({ now: () => now, busy }, 0, false, true);
    for (let run = 1; run <= 64; run++) {
      window.called(callMs);
      window.finished(++now, 1, 1, 1, true);
    }
    return window.summary(now);
  }
  const heldPerTask = (...ms: Parameters<typeof measured>) => measured(...ms).heldPerTaskMs;
  const near = (actual: number, expected: number) =>
    assert.ok(Math.abs(actual - expected) < 1e-9, `${actual}, not ${expected}`);

  it('counts the time a task holds the thread: its CPU, and what it spends blocked in its call', () => {
    // Blocked 0.9 ms of every ms in the call (an Atomics.wait): held all but the idle time.
    near(heldPerTask(0.05, 0.05, 0, 0.95), 0.95);
    // Held up as much outside the calls (the process loading code, say): only its CPU counts.
    near(heldPerTask(0.05, 0.05, 0, 0.05), 0.05);
    // Waiting for a CPU is not being held, in the call or out of it: another would run it.
    near(heldPerTask(0.05, 0.05, 0.5, 0.95), 0.45);
    // Computing all the time, or idle the rest of it: held for its CPU alone.
    near(heldPerTask(1, 0, 0, 1), 1);
    near(heldPerTask(0.2, 0.8, 0, 0.2), 0.2);
    // Counters that lag (the kernel's CPU time moves in ticks) never make it less than the CPU.
    near(heldPerTask(0.7, 0.5, 0, 0.7), 0.7);
  });

  it("tells the share of the thread's time its tasks held it from time something else did", () => {
    // Computing, or blocked in their calls, all the time it was not idle or waiting: all of it.
    near(measured(1, 0, 0, 1).heldShare, 1);
    near(measured(0.2, 0.8, 0, 0.2).heldShare, 1);
    near(measured(0.05, 0.05, 0, 0.95).heldShare, 1);
    near(measured(0.5, 0, 0.5, 0.5).heldShare, 1);
    // Held up outside the calls for 0.9 ms of every ms: 0.05 ms of the 0.95 was theirs.
    near(measured(0.05, 0.05, 0, 0.05).heldShare, 0.05 / 0.95);
    // Idle all the time: nothing else held it either.
    near(measured(0, 1, 0, 0).heldShare, 1);
  });
});

/**
 * Which level `switchyard profile` recommends from where `auto` stood when the sample
 * ended: scripted decisions, then the real controller on simulated work (no real clock).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decision, DecisionStep } from '../../src/core/types.js';
import { choose } from '../../src/run/profile.js';
import { simulate } from '../runners/auto/simulation.js';

/** A decision at `now` after `history`; `throughput` only when auto kept the level. */
function decision(now: Partial<Decision>, history: DecisionStep[] = []): Decision {
  return {
    mode: 'loop',
    concurrency: 64,
    reason: 'Why it is here.',
    measured: { cpus: 2 },
    history,
    ...now,
  };
}

function left(
  mode: 'loop' | 'threads',
  concurrency: number,
  throughput: number,
  tasksPerWorker?: number,
): DecisionStep {
  return {
    atMs: 0,
    mode,
    concurrency,
    throughput,
    reason: 'Why it left.',
    ...(tasksPerWorker === undefined ? {} : { tasksPerWorker }),
  };
}

describe('the level profile recommends', () => {
  it('is the level auto was trying only once auto measured it and kept it', () => {
    // Auto left 64 for 300 on the first window's headroom, and the sample ended before 300
    // was measured: 300 is a guess, 64 a measurement.
    const trying = decision({ concurrency: 300 }, [left('loop', 64, 1_292)]);
    assert.deepEqual(choose(trying), {
      recommended: { mode: 'loop', concurrency: 64, throughput: 1_292 },
      trying: { mode: 'loop', concurrency: 300 },
    });
    const kept = decision({ concurrency: 300, throughput: 5_400 }, [left('loop', 64, 1_292)]);
    assert.deepEqual(choose(kept), {
      recommended: { mode: 'loop', concurrency: 300, throughput: 5_400 },
      trying: undefined,
    });
  });

  it('is the level auto kept even where a level it left finished a little more', () => {
    // A step up that finished 2% more did not pay for twice the tasks in flight.
    const d = decision(
      { mode: 'threads', concurrency: 6, workers: 2, tasksPerWorker: 3, throughput: 998 },
      [left('loop', 64, 457), left('threads', 6, 998, 3), left('threads', 12, 1_019, 6)],
    );
    assert.deepEqual(choose(d).recommended, {
      mode: 'threads',
      concurrency: 6,
      workers: 2,
      tasksPerWorker: 3,
      throughput: 998,
    });
  });

  it('while auto tries a level, is the fewest in flight that finished nearly as many as the best it measured', () => {
    // 256 finished no more than 128: auto steps down to see whether 64 does as well.
    const d = decision({ concurrency: 64 }, [
      left('loop', 64, 1_000),
      left('loop', 128, 2_000),
      left('loop', 256, 2_050),
    ]);
    assert.deepEqual(choose(d), {
      recommended: { mode: 'loop', concurrency: 128, throughput: 2_000 },
      trying: { mode: 'loop', concurrency: 64 },
    });
  });

  it('while auto tries worker threads, is the calling thread level it measured, with the pool size of a threads level', () => {
    const verifying = decision({ mode: 'threads', concurrency: 2, workers: 2, tasksPerWorker: 1 }, [
      left('loop', 64, 116),
    ]);
    assert.deepEqual(choose(verifying), {
      recommended: { mode: 'loop', concurrency: 64, throughput: 116 },
      trying: { mode: 'threads', concurrency: 2, workers: 2, tasksPerWorker: 1 },
    });
    const probing = decision({ mode: 'threads', concurrency: 12, workers: 2, tasksPerWorker: 6 }, [
      left('loop', 64, 40),
      left('threads', 6, 477, 3),
    ]);
    assert.deepEqual(choose(probing).recommended, {
      mode: 'threads',
      concurrency: 6,
      workers: 2,
      tasksPerWorker: 3,
      throughput: 477,
    });
  });

  it('is none while auto has measured nothing: a first level, or a move made before any window', () => {
    assert.deepEqual(choose(decision({})), {
      recommended: undefined,
      trying: { mode: 'loop', concurrency: 64 },
    });
    // A timeout moved the work to threads before any task finished.
    const pinned = decision({ mode: 'threads', concurrency: 2, workers: 2, tasksPerWorker: 1 }, [
      left('loop', 64, 0),
    ]);
    assert.equal(choose(pinned).recommended, undefined);
  });

  it("follows the controller's own decisions: a level on trial, then one kept", () => {
    const waits = () => ({ cpuMs: 0.02, waitMs: 20 });
    // 400 inputs end while the level the first window's headroom chose is still on trial.
    const early = simulate({ inputs: 400, work: waits }).controller.decision();
    assert.ok(early.concurrency > 64 && early.throughput === undefined, JSON.stringify(early));
    const first = early.history[0]!;
    assert.deepEqual(choose(early).recommended, {
      mode: 'loop',
      concurrency: 64,
      throughput: first.throughput,
    });
    // A resource that serves 32 at once: auto settles at about 32 and says what it measured.
    const bounded = simulate({
      inputs: 8_000,
      capacity: 32,
      work: () => ({ cpuMs: 0.05, waitMs: 30, bounded: true }),
    }).controller.decision();
    const { recommended, trying } = choose(bounded);
    assert.equal(trying, undefined);
    assert.equal(recommended?.concurrency, bounded.concurrency);
    assert.ok(
      bounded.history.some(
        (s) => s.concurrency === bounded.concurrency && s.throughput === recommended?.throughput,
      ),
      JSON.stringify(bounded),
    );
  });
});

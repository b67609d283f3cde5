/**
 * The control law on a calling thread still warming up (its JIT compiling the task and the
 * libraries it calls): which windows count as evidence for a move to worker threads, and
 * what the process's other threads (libuv's pool) did meanwhile. Scripted windows (see
 * `law-windows.ts`); no clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Law } from '../../../src/runners/auto/law.js';
import { computing, context, judged, window } from './law-windows.js';

describe('warming up', () => {
  /** A saturated window of 32 tasks over 25 ms that computed `cpuMs` each in their call. */
  const at = (cpuMs: number) =>
    window({
      ...computing,
      cpuPerTaskMs: cpuMs,
      fastestMs: cpuMs * 1.05,
      spanMs: 25,
      completions: 32,
    });

  it('starts the run again once the CPU per task fell by a third or more, stretch to stretch', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const windows = [at(2), at(2), at(0.7), at(0.7), at(0.7)];
    for (const [i, w] of windows.entries()) assert.equal(law.next(w), undefined, `window ${i + 1}`);
    assert.equal(law.next(at(0.7))?.because.kind, 'saturated', '100 ms after the fall');
  });

  it('starts the run again once the CPU per task doubled: the work changed, and the workers must beat what it is now', () => {
    // A map whose first inputs wait 20 ms (512 at a time keep the thread busy at 9,000 a
    // second) and whose later ones compute 4 ms each (240 a second).
    const law = new Law(context, { route: 'loop', level: 512 });
    const waiting = window({
      busyShare: 1,
      cpuPerTaskMs: 0.1,
      fastestMs: 20,
      callShare: 0.3,
      throughput: 9_000,
      inFlight: 512,
      spanMs: 80,
      completions: 720,
    });
    const computes = window({ ...computing, throughput: 240, spanMs: 100, completions: 24 });
    assert.equal(law.next(waiting), undefined);
    assert.equal(law.next(computes), undefined, 'one window of the new work is not yet a run');
    const move = law.next(computes);
    assert.equal(move?.to.route, 'threads');
    // Two workers finishing 460 a second beat the 240 of the computing tasks, not the 9,000
    // of the waiting ones.
    const kept = judged(law, window({ ...computing, throughput: 460, inFlight: 2 }));
    assert.equal(kept?.because.kind, 'threads-faster');
  });

  /**
   * Windows of tasks that hand libuv's pool work (hashing a buffer, say) as the calling
   * thread warms up from 1.2 ms of CPU a task to 0.3: 800 tasks/s, then 3,000. The pool
   * spends `warmingPoolMs`, then 0.2 ms, on each.
   */
  const handingThePool = (warmingPoolMs: number) => [
    window({
      ...computing,
      cpuPerTaskMs: 1.2,
      fastestMs: 1.3,
      throughput: 800,
      othersBusy: 0.8 * warmingPoolMs,
      spanMs: 40,
      completions: 32,
    }),
    ...Array.from({ length: 5 }, () =>
      window({
        ...computing,
        cpuPerTaskMs: 0.3,
        fastestMs: 0.35,
        throughput: 3_000,
        othersBusy: 0.6,
        spanMs: 25,
        completions: 75,
      }),
    ),
  ];

  it("counts the pool's CPU per task, which twice the throughput on threads would need twice of", () => {
    // Warming up, the thread fed the pool a quarter as fast: it kept a fifth of a CPU busy
    // where it keeps 0.6 later, for the same 0.2 ms a task.
    const law = new Law(context, { route: 'loop', level: 64 });
    const moves = handingThePool(0.2).map((w) => law.next(w));
    assert.ok(
      moves.every((move) => move?.to.route !== 'threads'),
      'threads would finish only 2 × 0.3 ÷ (0.3 + 0.2) = 1.2× as many',
    );
    const last = law.next(handingThePool(0.2).at(-1)!);
    assert.ok(last && 'why' in last.because, 'and says why');
    assert.match(last.because.why, /would finish only 1\.2×/);
  });

  it('rules threads out once a saturated window shows the pool taking the CPUs they would need', () => {
    // The pool hashes 0.25 ms for each task. A first window that paid for compiling (2 ms
    // of the thread's CPU a task) predicts 2 × 2 ÷ (2 + 0.25) ≈ 1.8× and starts the
    // workers; the next, 0.3 ms a task, 2 × 0.3 ÷ (0.3 + 0.25) ≈ 1.1×: the workers would
    // be sent back.
    const law = new Law(context, { route: 'loop', level: 64 });
    const pool = (cpuPerTaskMs: number, throughput: number) =>
      window({
        ...computing,
        cpuPerTaskMs,
        fastestMs: cpuPerTaskMs * 1.1,
        throughput,
        othersBusy: throughput * 0.25e-3,
      });
    law.next(pool(2, 500));
    assert.equal(law.threadsLikely, true);
    assert.equal(law.threadsRuledOut, false);
    law.next(pool(0.3, 3_000));
    assert.equal(law.threadsLikely, false);
    assert.equal(law.threadsRuledOut, true, 'so the workers still starting can be stopped');
  });

  it('judges the pool by the windows after the thread warmed up, which fed it at full pace', () => {
    // The first window's pool work per task looks small (a buffer handed late finishes
    // after the window); the run that counts starts after the fall.
    const law = new Law(context, { route: 'loop', level: 64 });
    const moves = handingThePool(0.02).map((w) => law.next(w));
    assert.ok(moves.every((move) => move?.to.route !== 'threads'));
    // Where the pool does nothing for the tasks, the same thread moves them.
    const alone = new Law(context, { route: 'loop', level: 64 });
    const free = handingThePool(0).map((w) => window({ ...w, othersBusy: 0 }));
    assert.ok(free.map((w) => alone.next(w)).some((move) => move?.to.route === 'threads'));
  });

  it('is not fooled by a CPU clock that advances in scheduler ticks', () => {
    // 20–30 ms of CPU a window, read to ±4 ms: 0.9 and 0.6 ms a task in turn.
    const law = new Law(context, { route: 'loop', level: 64 });
    for (const [i, w] of [at(0.9), at(0.6), at(0.9)].entries())
      assert.equal(law.next(w), undefined, `window ${i + 1}`);
    assert.equal(law.next(at(0.6))?.because.kind, 'saturated');
  });
});

/**
 * A window that saw the workers start, read as if they had not been starting: the waits
 * for a CPU that other programs caused, and how much the workers' start slowed a
 * saturated calling thread.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { WindowSummary } from '../../../src/runners/auto/measures.js';
import {
  contentionBesidesOwn,
  ownStartSlowdown,
  withoutOwnStart,
} from '../../../src/runners/auto/own-start.js';
import { whyThreadsWouldNotHelp } from '../../../src/runners/auto/reasons.js';
import { context } from './law-windows.js';

describe('the contention other programs caused', () => {
  /** 100 tasks of 1 ms CPU over 200 ms, the thread waiting for a CPU `contention` of its runnable time. */
  const measured = (contention: number, othersBusy: number) =>
    ({ completions: 100, cpuPerTaskMs: 1, spanMs: 200, contention, othersBusy }) as WindowSummary;

  it('is all of it when the process has no other busy thread, none when its threads explain the waits', () => {
    // 100 ms of CPU and 100 ms of waiting for one.
    assert.equal(contentionBesidesOwn(measured(0.5, 0), 2), 0.5);
    // Other threads of the process busy 1 CPU of 2 for 200 ms: enough to fill both CPUs for 100 ms.
    assert.equal(contentionBesidesOwn(measured(0.5, 1), 2), 0);
    // Half a CPU: they explain 50 ms of the waits; the other 50 ms were other programs'.
    assert.equal(contentionBesidesOwn(measured(0.5, 0.5), 2), 50 / 150);
  });

  it("is named in a reason for what it is: other programs, or this process's own threads", () => {
    const law = { ...context, waiting: () => 0 };
    const at = (contention: number, othersBusy: number) =>
      ({ ...measured(contention, othersBusy), route: 'loop', level: 64, inFlight: 64 }) as const;
    // libuv's pool busy 1 CPU of 2 explains every wait: no other program was running.
    assert.match(
      whyThreadsWouldNotHelp(0.8, { othersPerTaskMs: 0, contention: 0.5 }, at(0.5, 1), law),
      /: this process's other threads and the programs it runs \(libuv's pool, the garbage collector, child processes working for the tasks\) keep this machine's CPUs busy, and would compete with the workers \(this thread waited for one 50% of the time it could have run\)$/,
    );
    assert.match(
      whyThreadsWouldNotHelp(0.8, { othersPerTaskMs: 0, contention: 0.5 }, at(0.5, 0), law),
      /: other work keeps this machine's CPUs busy \(this thread waited for one 50%/,
    );
    assert.doesNotMatch(
      whyThreadsWouldNotHelp(0.8, { othersPerTaskMs: 0, contention: 0.1 }, at(0.1, 1), law),
      /busy \(this thread waited/,
    );
  });

  it('lies between none and the whole, and falls as the process’s other threads did more', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        fc.integer({ min: 1, max: 64 }),
        (contention, busy, more, cpus) => {
          const some = contentionBesidesOwn(measured(contention, busy), cpus);
          assert.ok(some >= 0 && some <= contention + 1e-12);
          assert.ok(contentionBesidesOwn(measured(contention, busy + more), cpus) <= some + 1e-12);
        },
      ),
    );
  });
});

describe("how much the workers' start slowed a saturated calling thread", () => {
  /**
   * A saturated thread that finished 100 tasks of 1 ms CPU over 150 ms, waiting for a CPU
   * the other 50 ms, while its starting workers used `workersBusy` CPUs of 2.
   */
  const measured = (workersBusy: number | undefined, more: Partial<WindowSummary> = {}) =>
    ({
      completions: 100,
      cpuPerTaskMs: 1,
      spanMs: 150,
      throughput: 100 / 0.15,
      busyShare: 1,
      contention: 50 / 150,
      othersBusy: workersBusy ?? 2,
      ...(workersBusy === undefined ? {} : { ownWorkersBusy: workersBusy }),
      ...more,
    }) as WindowSummary;

  const near = (actual: number, expected: number) =>
    assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

  it('takes away the waits its workers can explain, and no more', () => {
    // Two workers using both CPUs throughout: every wait was for them.
    near(ownStartSlowdown(measured(2), 2), 1.5);
    // Half a CPU for 150 ms fills both for 37.5 ms at most: those waits, not the rest.
    near(ownStartSlowdown(measured(0.5), 2), 150 / 112.5);
    // No CPU of theirs: the waits were for something else.
    assert.equal(ownStartSlowdown(measured(0), 2), 1);
    // Half of what the process's other threads used (libuv's pool the rest): half the
    // waits those threads explain.
    near(ownStartSlowdown(measured(1, { othersBusy: 2 }), 2), 150 / 125);
  });

  it('is nothing where the thread had time to spare, or did not wait', () => {
    assert.equal(ownStartSlowdown(measured(2, { busyShare: 0.6 }), 2), 1);
    assert.equal(ownStartSlowdown(measured(2, { contention: 0 }), 2), 1);
  });

  it("takes the process's other threads for the workers until the workers' CPU is known", () => {
    near(ownStartSlowdown(measured(undefined, { othersBusy: 2 }), 2), 1.5);
    near(ownStartSlowdown(measured(undefined, { othersBusy: 0.5 }), 2), 150 / 112.5);
    assert.equal(ownStartSlowdown(measured(undefined, { othersBusy: 0 }), 2), 1);
  });

  it('lies between none and every wait taken away, and grows with what the workers used', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        fc.integer({ min: 1, max: 64 }),
        (contention, busy, more, cpus) => {
          const slowdown = ownStartSlowdown(measured(busy, { contention }), cpus);
          assert.ok(slowdown >= 1 && slowdown <= 1 / (1 - contention) + 1e-9);
          const busier = ownStartSlowdown(measured(busy + more, { contention }), cpus);
          assert.ok(busier >= slowdown - 1e-12);
        },
      ),
    );
  });

  it("reads the window without the workers: their CPU apart from the others', the throughput the thread would have had", () => {
    const pool = measured(1.5, { othersBusy: 2 });
    const without = withoutOwnStart(pool, 2);
    assert.equal(without.othersBusy, 0.5);
    assert.equal(without.othersUnknown, undefined);
    assert.equal(without.throughput, pool.throughput * ownStartSlowdown(pool, 2));
    assert.ok(without.throughput > pool.throughput);
    assert.equal(without.contention, contentionBesidesOwn(pool, 2));
    // Not told apart: the others' CPU is not known, and all of it may be the workers'.
    const unknown = withoutOwnStart(measured(undefined), 2);
    assert.equal(unknown.othersBusy, 0);
    assert.equal(unknown.othersUnknown, true);
    near(unknown.throughput, measured(undefined).throughput * 1.5);
  });
});

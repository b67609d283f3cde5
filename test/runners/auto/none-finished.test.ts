/**
 * Before any task has finished: tasks that all wait, on a calling thread with time to
 * spare, get more in flight at once rather than after their first turnover. The law and
 * the controller with scripted clocks; then real tasks that wait for each other, which
 * finish only if more of them are begun than `auto` starts with.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createExecutor, tasks } from '../../../src/index.js';
import { Controller } from '../../../src/runners/auto/controller.js';
import { Law } from '../../../src/runners/auto/law.js';
import { explain } from '../../../src/runners/auto/reasons.js';
import { MAX_STEP, START_LIMIT } from '../../../src/runners/auto/settings.js';
import { gatherAt, gatheredBeforeFirstDone, mostWaitedAtOnce } from '../../fixtures/auto-tasks.mjs';
import { context, window } from './law-windows.js';

const autoTasks = tasks<typeof import('../../fixtures/auto-tasks.mjs')>(
  new URL('../../fixtures/auto-tasks.mjs', import.meta.url),
);
const SLOW = { timeout: 120_000 };

const idle = { afterMs: 15, busyShare: 0.2 };

describe('auto before any task has finished', () => {
  it('doubles the tasks in flight while they all wait, up to the first window’s jump', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const levels: number[] = [];
    for (let move = law.noneFinished({ ...idle, inFlight: 64 }); move; ) {
      levels.push(move.to.level);
      move = law.noneFinished({ ...idle, inFlight: move.to.level });
    }
    assert.deepEqual(levels, [128, 256, 512]);
    assert.equal(64 * MAX_STEP, 512);
  });

  it('says why, with what it saw', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const move = law.noneFinished({ inFlight: 64, afterMs: 31, busyShare: 0.04 });
    assert.equal(
      explain(move!, 2),
      'None of the 64 tasks in flight had finished after 31 ms, and this thread was busy 4% of the time, so they wait, and more cost it little: trying 128 at a time on this thread.',
    );
  });

  it('stays where the thread was busy, the level does not bind, or the user’s bound is reached', () => {
    const busy = new Law(context, { route: 'loop', level: 64 });
    // Busy 60% of the time: reading large files through libuv's pool read 70% here.
    assert.equal(busy.noneFinished({ inFlight: 64, afterMs: 34, busyShare: 0.6 }), undefined);
    const few = new Law(context, { route: 'loop', level: 64 });
    assert.equal(few.noneFinished({ ...idle, inFlight: 40 }), undefined);
    const bounded = new Law({ ...context, maxLoop: 100 }, { route: 'loop', level: 64 });
    assert.equal(bounded.noneFinished({ ...idle, inFlight: 64 })?.to.level, 100);
    assert.equal(bounded.noneFinished({ ...idle, inFlight: 100 }), undefined);
  });

  it('leaves a level chosen by a window alone, and tasks on worker threads', () => {
    const measured = new Law(context, { route: 'loop', level: 64 });
    const climbed = measured.next(window({ busyShare: 0.35 }));
    assert.equal(climbed?.to.level, 128);
    assert.equal(measured.noneFinished({ ...idle, inFlight: 128 }), undefined);
    const pinned = new Law(context, { route: 'loop', level: 64 });
    pinned.pin();
    assert.equal(pinned.noneFinished({ ...idle, inFlight: 64 }), undefined);
  });

  describe('the controller', () => {
    /** A controller whose calling thread is busy `share` of the time, and its clock. */
    function scripted(share: number) {
      const clock = { now: 0 };
      const instruments = {
        now: () => clock.now,
        busy: () => ({ cpuMs: share * clock.now, idleMs: (1 - share) * clock.now }),
      };
      const controller = new Controller(context, instruments, { route: 'loop', level: 64 });
      return { controller, clock };
    }

    it('raises the level, records why in the history, and measures the new level from then on', () => {
      const { controller, clock } = scripted(0.05);
      clock.now = 5;
      const starts = Array.from({ length: 64 }, () => controller.started('loop'));
      clock.now = 21;
      assert.equal(controller.noneFinished(true), 16, 'asks again after as long again');
      assert.deepEqual(controller.level, { route: 'loop', level: 128 });
      const [move] = controller.decision().history;
      assert.equal(move?.concurrency, 64);
      assert.equal(move?.atMs, 16, 'counted from the first run’s start');
      assert.match(move?.reason ?? '', /^None of the 64 tasks in flight had finished after 16 ms/);
      for (let i = 0; i < 64; i++) starts.push(controller.started('loop'));
      // The first window is of the new level: it opened at the raise, with 64 in flight,
      // and 128 from then on.
      clock.now = 121;
      for (const startedAt of starts.slice(0, 64)) controller.finished('loop', startedAt, 1, true);
      const measured = controller.decision().measured;
      assert.ok((measured.inFlight ?? 0) > 64, JSON.stringify(measured));
      assert.equal(controller.noneFinished(true), undefined, 'a task has finished: never again');
    });

    it('does not raise the level with no more tasks offered, nor on a busy thread', () => {
      const spare = scripted(0.05);
      for (let i = 0; i < 64; i++) spare.controller.started('loop');
      spare.clock.now = 16;
      assert.equal(spare.controller.noneFinished(false), 16);
      assert.equal(spare.controller.level.level, 64);
      const busy = scripted(0.95);
      for (let i = 0; i < 64; i++) busy.controller.started('loop');
      busy.clock.now = 16;
      assert.equal(busy.controller.noneFinished(true), 16);
      assert.equal(busy.controller.level.level, 64);
      assert.deepEqual(busy.controller.decision().history, []);
    });
  });

  // Tasks that wait until twice as many as auto starts with have begun: none finishes
  // unless it begins more before the first one does. Bounded, so a failure fails, not hangs.
  async function within<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: stuck at ${START_LIMIT}`)), 30_000);
    });
    try {
      return await Promise.race([work, stuck]);
    } finally {
      clearTimeout(timer);
    }
  }

  it('begins more of a map’s inputs before any has finished', SLOW, async () => {
    await using ex = createExecutor({ mode: 'auto' });
    gatherAt(2 * START_LIMIT);
    const inputs = Array.from({ length: 4 * START_LIMIT }, (_, n) => n);
    const out: number[] = [];
    await within(
      (async () => {
        for await (const n of ex.map(autoTasks.gathered, inputs)) out.push(n);
      })(),
      'the map',
    );
    assert.deepEqual(out, inputs);
    assert.ok(gatheredBeforeFirstDone() >= 2 * START_LIMIT, String(gatheredBeforeFirstDone()));
    assert.match(ex.decision?.history[0]?.reason ?? '', /^None of the 64 tasks in flight/);
  });

  it(
    'begins more of the submitted tasks waiting their turn before any has finished',
    SLOW,
    async () => {
      await using ex = createExecutor({ mode: 'auto' });
      gatherAt(2 * START_LIMIT);
      const inputs = Array.from({ length: 3 * START_LIMIT }, (_, n) => n);
      const out = await within(
        Promise.all(inputs.map((n) => ex.submit(autoTasks.gathered, n))),
        'the submits',
      );
      assert.deepEqual(out, inputs);
      assert.ok(gatheredBeforeFirstDone() >= 2 * START_LIMIT, String(gatheredBeforeFirstDone()));
    },
  );

  it('keeps to the concurrency the user bounds it to', SLOW, async () => {
    await using ex = createExecutor({ mode: 'auto', concurrency: START_LIMIT });
    mostWaitedAtOnce();
    const inputs = Array.from({ length: 4 * START_LIMIT }, (_, n) => n);
    const out = await Promise.all(inputs.map((n) => ex.submit(autoTasks.waitCounted, n)));
    assert.deepEqual(out, inputs);
    assert.equal(mostWaitedAtOnce(), START_LIMIT);
  });
});

/**
 * The controller, driven by simulated work (see `simulation.ts`): simulated time,
 * scripted completions, no real clock. Each test states where the controller must end up
 * for one kind of work, and checks the path it took there.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { START_LIMIT, TASK_DISPATCH_MS } from '../../../src/runners/auto/settings.js';
import { type Outcome, simulate } from './simulation.js';

const waits = (ms: number) => () => ({ cpuMs: 0.02, waitMs: ms });
const computes = (ms: number) => () => ({ cpuMs: ms, waitMs: 0 });

/** The decision's history as "loop@64 → loop@512 → …", for assertion messages. */
function path(outcome: Outcome): string {
  const d = outcome.controller.decision();
  return [...d.history.map((h) => `${h.mode}@${h.concurrency}`), `${d.mode}@${d.concurrency}`].join(
    ' → ',
  );
}

describe('the controller', () => {
  it('climbs to hundreds of tasks in flight for tasks that only wait', () => {
    const out = simulate({ inputs: 20_000, work: waits(20) });
    const d = out.controller.decision();
    assert.equal(d.mode, 'loop', path(out));
    assert.ok(d.concurrency >= 256, path(out));
    assert.equal(out.ran.threads, 0);
    // It got there by climbing, never by stepping down first (once at the top, the busy
    // thread tries fewer once).
    const levels = d.history.map((h) => h.concurrency);
    const climb = levels.slice(0, levels.indexOf(Math.max(...levels)) + 1);
    assert.deepEqual(
      climb,
      [...climb].sort((a, b) => a - b),
      path(out),
    );
  });

  it('reaches a high level at once when the calling thread is nearly idle', () => {
    const out = simulate({ inputs: 1_000, work: (i) => ({ cpuMs: 0.02, waitMs: 5 + (i % 76) }) });
    const first = out.levels[0];
    assert.ok(first && first.route === 'loop' && first.level >= 8 * START_LIMIT, path(out));
    assert.ok(first.index < 100, `moved after ${first.index} inputs`);
  });

  for (const capacity of [4, 32]) {
    it(`backs off to about the capacity of a resource that serves ${capacity} at once`, () => {
      const out = simulate({
        inputs: 8_000,
        capacity,
        work: () => ({ cpuMs: 0.05, waitMs: capacity === 4 ? 1 : 30, bounded: true }),
      });
      const d = out.controller.decision();
      assert.equal(d.mode, 'loop', path(out));
      assert.ok(d.concurrency >= capacity && d.concurrency <= 2 * capacity, path(out));
      // It tried more first, and came down because more brought nothing.
      assert.ok(
        d.history.some((h) => h.concurrency > 2 * capacity),
        path(out),
      );
    });
  }

  it('moves CPU-bound work to worker threads, one task per worker', () => {
    const out = simulate({ inputs: 3_000, work: computes(1) });
    const d = out.controller.decision();
    assert.equal(d.mode, 'threads', path(out));
    assert.equal(d.tasksPerWorker, 1, path(out));
    assert.equal(d.workload, 'cpu-bound');
    assert.ok(out.ran.threads > 0.9 * 3_000, JSON.stringify(out.ran));
    assert.match(d.history[0]!.reason, /busy 100% of the time/);
  });

  it('gives work that waits and computes several tasks per worker', () => {
    const out = simulate({ inputs: 3_000, work: () => ({ cpuMs: 0, waitMs: 8, thenCpuMs: 4 }) });
    const d = out.controller.decision();
    assert.equal(d.mode, 'threads', path(out));
    assert.ok((d.tasksPerWorker ?? 0) >= 3, path(out));
    assert.equal(d.workload, 'mixed');
  });

  it('moves work that computes a little after each long wait to worker threads, each holding enough to stay busy', () => {
    // 1 ms of CPU per 100 ms reply saturates the calling thread at about 100 in flight; a
    // worker needs as many to stay busy, and two of them finish twice as many.
    const out = simulate({
      inputs: 5_000,
      work: () => ({ cpuMs: 0, waitMs: 100, thenCpuMs: 1 }),
      dispatchMs: TASK_DISPATCH_MS,
    });
    const d = out.controller.decision();
    assert.equal(d.mode, 'threads', path(out));
    assert.ok((d.tasksPerWorker ?? 0) >= 64, path(out));
    assert.ok(out.ran.threads > 0.5 * 5_000, JSON.stringify(out.ran));
    // They wait there as they did here: the move does not make them CPU work.
    assert.equal(d.workload, 'io-bound');
  });

  it('keeps tiny tasks on the calling thread, where sending them would cost as much as running them', () => {
    const out = simulate({ inputs: 50_000, work: computes(0.005) });
    const d = out.controller.decision();
    assert.equal(d.mode, 'loop', path(out));
    assert.equal(out.ran.threads, 0);
    assert.match(d.reason, /worker threads would finish only/);
  });

  it('keeps CPU-bound work on the calling thread when threads cannot take the task, and says why', () => {
    const why = 'a plain function cannot be sent to a worker thread';
    const out = simulate({ inputs: 2_000, work: computes(1), threadsUnavailable: why });
    const d = out.controller.decision();
    assert.equal(d.mode, 'loop');
    assert.equal(out.ran.threads, 0);
    assert.ok(d.reason.includes(why), d.reason);
  });

  it('follows a map whose first half waits and whose second half computes', () => {
    const out = simulate({
      inputs: 6_000,
      work: (i) => (i < 3_000 ? waits(20)() : computes(2)()),
    });
    const d = out.controller.decision();
    assert.equal(d.mode, 'threads', path(out));
    // It climbed on the calling thread while the tasks waited.
    assert.ok(
      out.levels.some((l) => l.route === 'loop' && l.level >= 256 && l.index < 3_000),
      path(out),
    );
    assert.ok(out.ran.threads > 2_000, JSON.stringify(out.ran));
  });

  it('follows a map whose first part computes and whose rest waits, back to the event loop', () => {
    const out = simulate({
      inputs: 6_000,
      work: (i) => (i < 2_000 ? computes(2)() : waits(20)()),
    });
    const d = out.controller.decision();
    assert.equal(d.mode, 'loop', path(out));
    assert.ok(d.concurrency >= 256, path(out));
    assert.ok(
      out.levels.some((l) => l.route === 'threads' && l.index < 2_000),
      path(out),
    );
  });

  it('keeps work on the calling thread when only its first task computes for long (a lazy initialisation)', () => {
    // The first call builds a table for 300 ms; every task after it waits 5 ms, and would
    // go to a worker in a message of its own (a worker holds it through its wait).
    const waiting = { cpuMs: 0.05, waitMs: 5 };
    const out = simulate({
      inputs: 4_000,
      work: (i) => (i === 0 ? { cpuMs: 300, waitMs: 5 } : waiting),
      dispatchMs: TASK_DISPATCH_MS,
    });
    const plain = simulate({ inputs: 4_000, work: () => waiting, dispatchMs: TASK_DISPATCH_MS });
    const d = out.controller.decision();
    assert.equal(d.mode, 'loop', path(out));
    assert.equal(out.ran.threads, 0, path(out));
    assert.equal(d.concurrency, plain.controller.decision().concurrency, path(out));
    // (Simulated time.) It costs the initialisation and little more: it moved to worker
    // threads at once before, each of which built the table again and then held one task.
    assert.ok(out.endMs < plain.endMs + 300 + 50, `${out.endMs} ms against ${plain.endMs} ms`);
  });

  it('moves back when the threads do not pay, and waits longer each time before trying again', () => {
    // Sending a task to a worker really costs 1.5 ms, though the controller expects 4 µs.
    const out = simulate({
      inputs: 3_000,
      work: computes(1),
      dispatchMs: 1.5,
      claimedDispatchMs: 0.004,
    });
    assert.equal(out.controller.decision().mode, 'loop', path(out));
    const tries = out.levels.filter((l) => l.route === 'threads').map((l) => l.index);
    assert.ok(tries.length >= 2, path(out));
    const gaps = tries.slice(1).map((at, i) => at - tries[i]!);
    assert.deepEqual(
      gaps,
      [...gaps].sort((a, b) => a - b),
      `tries at inputs ${tries.join(', ')}`,
    );
    assert.ok(out.ran.loop > out.ran.threads, JSON.stringify(out.ran));
  });

  it('under a timeout runs nothing on the calling thread, and climbs tasks per worker for waiting work', () => {
    const out = simulate({ inputs: 6_000, work: waits(20), pinned: true });
    const d = out.controller.decision();
    assert.equal(out.ran.loop, 0);
    assert.equal(d.mode, 'threads');
    assert.ok((d.tasksPerWorker ?? 0) >= 16, path(out));
    assert.match(d.history[0]!.reason, /timeout/);
  });

  it('holds its course through ±50% noise on every wait and burst', () => {
    const bounded = simulate({
      inputs: 8_000,
      capacity: 4,
      noise: 0.5,
      work: () => ({ cpuMs: 0.05, waitMs: 1, bounded: true }),
    });
    const level = bounded.controller.decision().concurrency;
    assert.ok(level >= 4 && level <= 16, path(bounded));
    const waiting = simulate({ inputs: 20_000, noise: 0.5, work: waits(20) });
    assert.ok(waiting.controller.decision().concurrency >= 256, path(waiting));
  });

  it('explains each move in one sentence, with the throughput measured at the level it left', () => {
    const out = simulate({
      inputs: 8_000,
      capacity: 4,
      work: () => ({ cpuMs: 0.05, waitMs: 1, bounded: true }),
    });
    const d = out.controller.decision();
    assert.ok(d.history.length >= 3, path(out));
    for (const step of d.history) {
      assert.match(step.reason, /^[A-Z0-9][^\n]*\.$/, step.reason);
      assert.ok(step.throughput > 0, JSON.stringify(step));
    }
    assert.ok(d.measured.throughput! > 0);
    assert.equal(d.workload, 'io-bound');
  });
});

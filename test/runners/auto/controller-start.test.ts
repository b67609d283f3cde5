/**
 * The controller told of long calls on the calling thread and of its worker threads'
 * start: when the workers start, what of a window that saw them start counts, and what
 * the calling thread did meanwhile; and what it calls work that comes in chunks. Scripted
 * clock and busy counters; no real clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Controller } from '../../../src/runners/auto/controller.js';
import { context } from './law-windows.js';

describe('the controller, told of long calls and starting workers', () => {
  /**
   * Runs two tasks on the calling thread, each taking 240 ms in its call, with the
   * process's other threads busy at `othersBusy` CPUs meanwhile (worker threads starting),
   * and the thread waiting for a CPU `waiting` of that time (computing the rest).
   * `workersBusy`: of `othersBusy`, the CPUs the executor's worker threads are seen to
   * use, where the system says (else not known).
   */
  function twoLongCalls(
    othersBusy: number,
    startWorkers: boolean,
    waiting = 0,
    workersBusy?: number,
  ): Controller {
    let now = 0;
    let cpu = 0;
    let waited = 0;
    let processCpu = 0;
    const instruments = {
      now: () => now,
      busy: () => ({
        cpuMs: cpu,
        idleMs: 0,
        waitingMs: waited,
        processCpuMs: processCpu,
        ...(workersBusy === undefined ? {} : { workersCpuMs: now * workersBusy }),
      }),
    };
    const controller = new Controller(context, instruments, { route: 'loop', level: 64 });
    for (let i = 0; i < 2; i++) {
      const startedAt = controller.started('loop');
      now += 240;
      cpu += 240 * (1 - waiting);
      waited += 240 * waiting;
      processCpu += 240 * (1 - waiting + othersBusy);
      controller.called(240);
      if (i === 0) {
        assert.equal(controller.threadsLikely, true, 'a long call makes threads likely at once');
        if (startWorkers) controller.workersStarting();
      }
      controller.finished('loop', startedAt, 1, true);
    }
    return controller;
  }

  it('moves tasks that compute for long to threads after one window', () => {
    assert.deepEqual(twoLongCalls(0, false).level, { route: 'threads', level: 1 });
  });

  /**
   * One task that computes 300 ms in its call, then tasks that wait 5 ms, 64 at a time, the
   * thread computing 0.2 ms of each 5 and idle `idleMs` of them (held up by something else
   * the rest), until the controller calls threads unlikely (or gives up).
   */
  function afterOneLongCall(idleMs: number): Controller {
    let now = 0;
    let cpu = 0;
    let idle = 0;
    const instruments = {
      now: () => now,
      busy: () => ({ cpuMs: cpu, idleMs: idle, waitingMs: 0, processCpuMs: cpu }),
    };
    const controller = new Controller(context, instruments, { route: 'loop', level: 64 });
    const first = controller.started('loop');
    now += 300;
    cpu += 300;
    controller.called(300);
    assert.equal(controller.threadsLikely, true);
    assert.equal(controller.threadsUnlikely, false, 'no window has shown time to spare yet');
    controller.finished('loop', first, 1, true);
    for (let round = 0; round < 100 && !controller.threadsUnlikely; round++) {
      const started = Array.from({ length: 64 }, () => controller.started('loop'));
      now += 5;
      cpu += 0.2;
      idle += idleMs;
      for (const at of started) controller.finished('loop', at, 1, true);
    }
    return controller;
  }

  it('calls threads unlikely again once a window after one long call had time to spare (a lazy initialisation)', () => {
    const controller = afterOneLongCall(4.8);
    assert.equal(controller.threadsLikely, false);
    assert.equal(controller.threadsUnlikely, true);
    assert.equal(controller.level.route, 'loop');
  });

  it('calls threads unlikely again once a window after one long call was busy, but not with its tasks', () => {
    const controller = afterOneLongCall(0);
    assert.equal(controller.threadsLikely, false);
    assert.equal(controller.threadsUnlikely, true);
    assert.equal(controller.level.route, 'loop');
  });

  it('never calls threads unlikely while the calling thread stays saturated', () => {
    assert.equal(twoLongCalls(0, true).threadsUnlikely, false);
    // Kept on the calling thread (the CPUs are busy elsewhere), still saturated there.
    const kept = twoLongCalls(0.8, false);
    assert.equal(kept.level.route, 'loop');
    assert.equal(kept.threadsUnlikely, false);
  });

  it("does not count the workers' own start as other work keeping the CPUs busy", () => {
    assert.deepEqual(twoLongCalls(0.8, true).level, { route: 'threads', level: 1 });
    // The same CPU used by something else leaves too little for the workers.
    const busyElsewhere = twoLongCalls(0.8, false);
    assert.equal(busyElsewhere.level.route, 'loop');
    assert.match(busyElsewhere.decision().reason, /worker threads would finish only/);
  });

  it("counts what the process's other threads used besides the starting workers, where the system tells them apart", () => {
    // All of it the workers' own start: the CPUs are free for them.
    assert.deepEqual(twoLongCalls(0.8, true, 0, 0.8).level, { route: 'threads', level: 1 });
    // None of it theirs (libuv's pool hashing for the tasks, say): it stays as busy after
    // a move, and leaves too little for the workers.
    const poolBusy = twoLongCalls(0.8, true, 0, 0);
    assert.equal(poolBusy.level.route, 'loop');
    assert.match(poolBusy.decision().reason, /worker threads would finish only/);
  });

  it("judges a saturated calling thread by what it finishes without its own workers' start", () => {
    // Waiting for a CPU half the time while its two starting workers held both: alone, it
    // would have finished twice as many — what the workers must beat.
    const held = twoLongCalls(2, true, 0.5, 2).decision().measured.throughput;
    // The same waits with no thread of the process busy: other programs', which stay.
    const elsewhere = twoLongCalls(0, true, 0.5, 0).decision().measured.throughput;
    assert.ok(held !== undefined && elsewhere !== undefined);
    assert.ok(Math.abs(held / elsewhere - 2) < 1e-9, `${held} against ${elsewhere}`);
  });

  it('counts the waits for a CPU of a window that saw the workers start when the process left CPUs idle: other programs kept them busy', () => {
    // Workers that use no CPU yet (their module awaits as it loads), this thread waiting
    // for a CPU half the time: other programs, which would slow the workers as much.
    const loaded = twoLongCalls(0, true, 0.5);
    assert.equal(loaded.level.route, 'loop');
    assert.match(loaded.decision().reason, /other work keeps this machine's CPUs busy/);
    // Workers busy starting as well: the waits may be theirs, which the move would end.
    assert.equal(twoLongCalls(0.8, true, 0.5).level.route, 'threads');
  });
});

describe('the controller, once it handed the work to workers still starting', () => {
  /**
   * Two tasks that each compute 240 ms in their call hand the work to worker threads (a
   * thread still cold, say); while the workers start, the calling thread goes on with
   * `meanwhile` tasks of `thenMs` each; then the 2 workers run a task each at a time, 120
   * ms a task: 17 tasks/s. Returns the reason the trial of the threads ended with.
   */
  function trial(meanwhile: number, thenMs: number): string {
    let now = 0;
    let cpu = 0;
    const instruments = {
      now: () => now,
      busy: () => ({ cpuMs: cpu, idleMs: 0, waitingMs: 0, processCpuMs: cpu }),
    };
    const controller = new Controller(context, instruments, { route: 'loop', level: 64 });
    const onLoop = (ms: number) => {
      const startedAt = controller.started('loop');
      now += ms;
      cpu += ms;
      controller.called(ms);
      controller.finished('loop', startedAt, 1, true);
    };
    onLoop(240);
    controller.workersStarting();
    onLoop(240);
    assert.equal(controller.level.route, 'threads');
    for (let i = 0; i < meanwhile; i++) onLoop(thenMs);
    controller.workersReady();
    const judged = () => controller.decision().reason.includes('as this thread alone');
    for (let i = 0; i < 200 && !judged(); i++) {
      const first = controller.started('threads');
      const second = controller.started('threads');
      now += 120;
      controller.finished('threads', first, 1, true);
      controller.finished('threads', second, 1, true);
    }
    return controller.decision().reason;
  }

  it('holds the workers to what the calling thread did once warm, going on with the tasks while they started', () => {
    // 30 ms a task meanwhile: 33 tasks/s, not the 4 it finished cold.
    assert.match(
      trial(10, 30),
      /finished only 0\.5× as many tasks as this thread alone \(17 tasks\/s against 33 tasks\/s\)/,
    );
  });

  it('holds them to the baseline when the thread did about as well meanwhile, or too little to tell', () => {
    // 200 ms a task: within what a CPU clock's noise and one window's luck can do.
    assert.match(trial(10, 200), /finished 4\.0× as many tasks as this thread alone/);
    // One task of 30 ms: 30 ms of CPU time says too little.
    assert.match(trial(1, 30), /finished 4\.0× as many tasks as this thread alone/);
  });
});

describe('the controller, told of chunks', () => {
  it('calls the tiny tasks a map runs in chunks tiny, not I/O-bound: a chunk takes its inputs’ time together', () => {
    let now = 0;
    let cpu = 0;
    const instruments = {
      now: () => now,
      busy: () => ({ cpuMs: cpu, idleMs: 0, waitingMs: 0, processCpuMs: cpu }),
    };
    const noThreads = { ...context, threadsUnavailable: 'a plain function cannot be sent' };
    const controller = new Controller(noThreads, instruments, { route: 'loop', level: 64 });
    // Chunks of 100 inputs of 10 µs, one after another: 1 ms each, the thread never idle.
    for (let i = 0; i < 200; i++) {
      const startedAt = controller.started('loop');
      now += 1;
      cpu += 1;
      controller.called(1);
      controller.finished('loop', startedAt, 100, true);
    }
    assert.equal(controller.decision().workload, 'tiny');
  });
});

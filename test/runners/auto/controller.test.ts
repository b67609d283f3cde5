/**
 * The controller and its control law, driven by simulated work (see `simulation.ts`):
 * simulated time, scripted completions, no real clock. Each test states where the
 * controller must end up for one kind of work, and checks the path it took there.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Controller } from '../../../src/runners/auto/controller.js';
import { sendMs } from '../../../src/runners/auto/handover.js';
import { Law } from '../../../src/runners/auto/law.js';
import type { LawContext, Measured } from '../../../src/runners/auto/moves.js';
import { explain } from '../../../src/runners/auto/reasons.js';
import {
  CHUNK_DISPATCH_MS,
  MAX_LIMIT,
  MAX_TASKS_PER_WORKER,
  SATURATED_FOR_MS,
  START_LIMIT,
  TASK_DISPATCH_MS,
} from '../../../src/runners/auto/settings.js';
import type { WindowSummary } from '../../../src/runners/auto/window.js';
import { type Outcome, simulate } from './simulation.js';

/** What the law knows of its setting in these tests: 2 workers, a `map`'s chunked send cost. */
const context = {
  workers: 2,
  cpus: 2,
  threadsUnavailable: undefined,
  maxLoop: MAX_LIMIT,
  maxPerWorker: 64,
  dispatchMs: () => CHUNK_DISPATCH_MS,
  chunkable: () => false,
};

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
    assert.ok(out.ran.threads > 0.9 * 3_000, JSON.stringify(out.ran));
    assert.match(d.history[0]!.reason, /busy 100% of the time/);
  });

  it('gives work that waits and computes several tasks per worker', () => {
    const out = simulate({ inputs: 3_000, work: () => ({ cpuMs: 0, waitMs: 8, thenCpuMs: 4 }) });
    const d = out.controller.decision();
    assert.equal(d.mode, 'threads', path(out));
    assert.ok((d.tasksPerWorker ?? 0) >= 3, path(out));
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

describe('the control law', () => {
  /** A saturated thread whose tasks compute 4 ms in their call and wait for nothing. */
  const computing = { busyShare: 1, cpuPerTaskMs: 4, fastestMs: 4.2, callShare: 0.95 };
  /** A `map`'s send cost, as `auto` counts it. */
  const mapContext = { ...context, dispatchMs: (m: WindowSummary) => sendMs(m, true) };
  const window = (w: Partial<WindowSummary>): WindowSummary => ({
    completions: 64,
    failures: 0,
    spanMs: 50,
    throughput: 1_000,
    latencyMs: 20,
    fastestMs: 20,
    inFlight: 64,
    busyShare: 0.1,
    contention: 0,
    cpuPerTaskMs: 0.05,
    othersBusy: 0,
    callShare: 0,
    inputsPerRun: 1,
    ...w,
    // Steady unless a test says otherwise: the later half as busy as the whole window.
    recentBusyShare: w.recentBusyShare ?? w.busyShare ?? 0.1,
  });

  /**
   * The law's answer to `w` once it has decided, within the three windows a trial of the
   * threads takes (the first pays for the workers' start).
   */
  const judged = (law: Law, w: WindowSummary) => {
    let move: ReturnType<Law['next']>;
    for (let i = 0; i < 3 && !move; i++) move = law.next(w);
    return move;
  };

  it('holds where the process fills every CPU, though the calling thread is mostly idle (work on libuv’s pool)', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    // gzip on libuv's threads: this thread 20% busy, the process's others 1.8 of 2 CPUs.
    const full = window({ busyShare: 0.2, othersBusy: 1.8 });
    assert.equal(law.next(full), undefined, 'once may be a burst: measured again first');
    const held = law.next(full);
    assert.equal(held?.because.kind, 'cpus-full');
    assert.deepEqual(held?.to, { route: 'loop', level: 64 });
    assert.equal(law.held?.level, 64);
    assert.match(
      explain(held!, 2, true),
      /busy 20% of the time .*kept 1\.8 CPUs busy besides, so the machine's CPUs are all in use .*: staying at 64 at a time on this thread\.$/,
    );
  });

  it('climbs as usual after one window that filled the CPUs, and when the CPUs are busy with other programs', () => {
    const burst = new Law(context, { route: 'loop', level: 64 });
    assert.equal(burst.next(window({ busyShare: 0.2, othersBusy: 1.8 })), undefined);
    const after = burst.next(window({ busyShare: 0.2, othersBusy: 0.1 }));
    assert.equal(after?.because.kind, 'room');
    assert.ok(after!.to.level > 64);
    // Other programs make this thread wait for a CPU (contention), not this process busy.
    const loaded = new Law(context, { route: 'loop', level: 64 });
    const move = loaded.next(window({ busyShare: 0.2, othersBusy: 0.1, contention: 0.6 }));
    assert.equal(move?.because.kind, 'room');
  });

  it('jumps by the headroom the busy share shows, at most eightfold', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    assert.deepEqual(law.next(window({ busyShare: 0.35 }))?.to, { route: 'loop', level: 128 });
    const idle = new Law(context, { route: 'loop', level: 64 });
    assert.deepEqual(idle.next(window({ busyShare: 0.01 }))?.to, { route: 'loop', level: 512 });
  });

  it('jumps by the headroom of the later half of a window in which the thread warmed up', () => {
    // 42% busy over the whole first window (its JIT compiling), 7% over its later half.
    const law = new Law(context, { route: 'loop', level: 64 });
    const move = law.next(window({ busyShare: 0.42, recentBusyShare: 0.07 }));
    assert.deepEqual(move?.to, { route: 'loop', level: 512 });
    assert.match(explain(move!, 2), /busy 7% of the time lately/);
  });

  it('climbs on by the headroom while the throughput rises as much as the tasks in flight, else by doubling', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window({ busyShare: 0.35 }));
    // 128 in flight finished twice as many: nothing queued, and the thread is 5% busy.
    const far = law.next(window({ inFlight: 128, throughput: 2_000, busyShare: 0.05 }));
    assert.equal(far?.because.kind, 'climb');
    assert.deepEqual(far?.to, { route: 'loop', level: 1_024 });
    const queued = new Law(context, { route: 'loop', level: 64 });
    queued.next(window({ busyShare: 0.35 }));
    // 1.5× as many for twice the tasks: something queues, so the next step only doubles.
    const near = queued.next(window({ inFlight: 128, throughput: 1_500, busyShare: 0.05 }));
    assert.equal(near?.because.kind, 'climb');
    assert.deepEqual(near?.to, { route: 'loop', level: 256 });
  });

  it('steps down from the best level once a step up brings no more', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window({ busyShare: 0.35 }));
    const knee = law.next(window({ inFlight: 128, throughput: 1_020, latencyMs: 40 }));
    assert.equal(knee?.because.kind, 'knee');
    assert.deepEqual(knee?.to, { route: 'loop', level: 32 });
    const worse = law.next(window({ inFlight: 32, throughput: 600, latencyMs: 20 }));
    assert.equal(worse?.because.kind, 'fewer-worse');
    assert.deepEqual(worse?.to.level, 64);
  });

  it('a probe from a held level judges against what it measures now, not what the level measured before', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const at = (level: number, throughput: number) =>
      window({ inFlight: level, throughput, latencyMs: level / 3 });
    law.next(window({ busyShare: 0.35 }));
    assert.equal(law.next(at(128, 1_020))?.because.kind, 'knee');
    const held = law.next(at(32, 600));
    assert.equal(held?.because.kind, 'fewer-worse');
    assert.deepEqual(held?.to.level, 64);
    // The resource slows a fifth (not a change of phase) while 64 is held, then probed.
    let probe: ReturnType<Law['next']>;
    for (let i = 0; i < 8 && !probe; i++) probe = law.next(at(64, 800));
    assert.equal(probe?.because.kind, 'probe');
    assert.equal(law.next(at(128, 1_000))?.because.kind, 'climb');
    // 256 brings no more: the fewest in flight that finish as many are 128 now; the 64 of
    // the first exploration finished as many then, but no longer does.
    const knee = law.next(at(256, 1_010));
    assert.equal(knee?.because.kind, 'knee');
    assert.deepEqual(knee?.to, { route: 'loop', level: 64 });
    assert.match(
      explain(knee!, 2),
      /^256 at a time on this thread finished about as many as 128 at a time on this thread \(1,010 tasks\/s against 1,000 tasks\/s\)/,
    );
    // The sentence says whether the level moved to is tried or kept.
    assert.match(explain(knee!, 2), /: trying 64 at a time on this thread\.$/);
    assert.match(explain(knee!, 2, true), /: settling at 64 at a time on this thread\.$/);
  });

  it('keeps the level of a calling thread it never left when threads turn out unable to run the task', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window({ busyShare: 0.35 }));
    const stay = law.threadsFailed('input.onDone is a function');
    assert.deepEqual(stay.to, { route: 'loop', level: 128 });
    assert.equal(stay.because.kind, 'threads-failed');
    // Saturated from now on, it names why threads are out rather than predicting a gain.
    const saturated = window({ inFlight: 128, busyShare: 1, cpuPerTaskMs: 4 });
    assert.equal(law.next(saturated), undefined);
    assert.equal(law.threadsLikely, false);
    const thin = law.next(saturated);
    assert.equal(thin?.because.kind, 'thin');
    assert.equal(thin.to.route, 'loop');
    assert.match(explain(thin, 2), /input\.onDone is a function/);
  });

  it('goes back to the calling thread at the level it left when worker threads fail to load the task', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const pinned = law.pin();
    assert.equal(pinned.to.route, 'threads');
    const back = law.threadsFailed('the module throws in a worker');
    assert.deepEqual(back.to, { route: 'loop', level: 64 });
    assert.equal(law.pinned, false);
  });

  it('probes a second task per worker now and then, though the tasks computed in their call on the calling thread', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(computing));
    assert.deepEqual(law.next(window(computing))?.to, { route: 'threads', level: 1 });
    // The workers' first window pays for their start; the next two are the trial.
    const onThreads = (throughput: number, inFlight = 2) =>
      window({ throughput, inFlight, busyShare: 0.05, fastestMs: 5 });
    const move = judged(law, onThreads(2_000));
    assert.equal(move?.because.kind, 'threads-faster');
    assert.deepEqual(move?.to, { route: 'threads', level: 1 }, 'one task per worker to start with');
    let probe: ReturnType<Law['next']>;
    for (let i = 0; i < 64 && !probe; i++) probe = law.next(onThreads(2_000));
    assert.equal(probe?.because.kind, 'probe');
    assert.deepEqual(probe?.to, { route: 'threads', level: 2 });
    // On the workers the tasks wait (a first call that built a cache was all the calling
    // thread saw): two per worker finish twice as many, and the climb goes on.
    const climb = law.next(onThreads(4_000, 4));
    assert.equal(climb?.because.kind, 'climb');
    assert.deepEqual(climb?.to, { route: 'threads', level: 4 });
  });

  it('under a timeout never probes a second task per worker for tasks that compute', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.pin();
    const fast = window({ throughput: 1_000, inFlight: 2, busyShare: 0.05, fastestMs: 1 });
    for (let i = 0; i < 200; i++) {
      const move = law.next(fast);
      assert.ok(!move || move.to.level === 1, `moved to ${JSON.stringify(move?.to)}`);
    }
  });

  it('keeps work whose task crashed a worker thread on worker threads, whatever it measures', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(computing));
    assert.deepEqual(law.next(window(computing))?.to, { route: 'threads', level: 1 });
    const crash = law.crash('exit code 3');
    assert.equal(crash.because.kind, 'crashed');
    assert.deepEqual(crash.to, { route: 'threads', level: 1 });
    // Respawning workers finish few: without the crash, this would send the work back to
    // the calling thread, where the next crash would end the program.
    for (const throughput of [100, 100, 100, 1_000, 100, 100, 50, 50]) {
      const move = law.next(window({ throughput, busyShare: 0.05 }));
      assert.notEqual(move?.to.route, 'loop', JSON.stringify(move?.because));
    }
  });

  /**
   * Half the tasks compute 2 ms, half wait 20 ms: the fastest task (2 ms, all CPU)
   * undercounts the waits, the mean (64 ms: each waits for the others' CPU) overcounts them.
   */
  const halfWaiting = {
    busyShare: 1,
    cpuPerTaskMs: 1,
    fastestMs: 2,
    latencyMs: 64,
    callShare: 0.9,
  };

  it('gives each worker more tasks when the threads lose their trial with the workers mostly idle', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(halfWaiting));
    // Between the fastest task's 2 ms and the mean's 64 ms: √(2 × 64) ≈ 11 ms of 1 ms CPU each.
    assert.deepEqual(law.next(window(halfWaiting))?.to, { route: 'threads', level: 11 });
    // The workers' first window pays for their start; the next two are the trial.
    const idle = window({ throughput: 500, inFlight: 22, busyShare: 0.1, othersBusy: 0.6 });
    const more = judged(law, idle);
    assert.equal(more?.because.kind, 'workers-idle');
    // Busy 30% of the time: room for 0.7 ÷ 0.3 ≈ 2.3 times as many.
    assert.deepEqual(more?.to, { route: 'threads', level: 26 });
    assert.match(
      explain(more!, 2),
      /^2 worker threads finished only 0\.5× as many tasks as this thread alone \(500 tasks\/s against 1,000 tasks\/s\), but they were busy only 30% of the time, so the tasks wait there too: trying 26 per worker on 2 threads\.$/,
    );
    // The workers run already: two windows judge the new level. Busy workers that still
    // lose give the work back.
    const busy = window({ throughput: 600, inFlight: 52, busyShare: 0.1, othersBusy: 1.6 });
    assert.equal(law.next(busy), undefined);
    const back = law.next(busy);
    assert.equal(back?.because.kind, 'threads-slower');
    assert.deepEqual(back?.to, { route: 'loop', level: 64 });
  });

  it('follows work that stops computing on worker threads: idle workers send it back to the calling thread, though the throughput fell less than a change needs', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(computing));
    assert.deepEqual(law.next(window(computing))?.to, { route: 'threads', level: 1 });
    const busyWorkers = window({
      throughput: 2_000,
      inFlight: 2,
      busyShare: 0.07,
      othersBusy: 1.9,
    });
    const kept = judged(law, busyWorkers);
    assert.equal(kept?.because.kind, 'threads-faster');
    for (let i = 0; i < 4; i++) assert.equal(law.next(busyWorkers), undefined);
    // The tasks wait 10 ms now instead of computing 3 ms: 39% fewer finish, short of a
    // change, but the workers sit idle.
    const waiting = window({ throughput: 1_220, inFlight: 2, busyShare: 0.06, othersBusy: 0.06 });
    assert.equal(law.next(waiting), undefined, 'once may be noise');
    const back = law.next(waiting);
    assert.equal(back?.because.kind, 'changed');
    assert.deepEqual(back?.to, { route: 'loop', level: 64 });
    assert.match(
      explain(back!, 2),
      /^At 1 per worker on 2 threads the throughput moved from 2,000 tasks\/s to 1,220 tasks\/s and the workers from busy 95% of the time to 3%, so the work changed: exploring again, trying 64 at a time on this thread\.$/,
    );
  });

  it('gives the work back when the threads lose with idle workers but a saturated calling thread, or tasks that compute alone', () => {
    // Sending the tasks and taking their results keeps this thread busy: more per worker
    // would only wait for it.
    const sending = new Law(context, { route: 'loop', level: 64 });
    sending.next(window(halfWaiting));
    sending.next(window(halfWaiting));
    const saturated = window({ throughput: 500, inFlight: 4, busyShare: 0.95, othersBusy: 0.4 });
    const move = judged(sending, saturated);
    assert.equal(move?.because.kind, 'threads-slower');
    // Tasks that compute from the moment they are called keep a worker busy one at a time:
    // idle workers holding fewer than one each mean too few tasks to share out, not waits.
    const alone = new Law(context, { route: 'loop', level: 64 });
    alone.next(window(computing));
    assert.deepEqual(alone.next(window(computing))?.to, { route: 'threads', level: 1 });
    const idle = window({ throughput: 500, inFlight: 1.2, busyShare: 0.1, othersBusy: 0.6 });
    assert.equal(judged(alone, idle)?.because.kind, 'threads-slower');
  });

  it('shares the workers out after all when tasks started alone leave them idle while each holds one', () => {
    // Half the tasks compute 2 ms in their call, half wait 20 ms: on a thread still warming
    // up they looked as if all computed alone, so each worker got one.
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(computing));
    assert.deepEqual(law.next(window(computing))?.to, { route: 'threads', level: 1 });
    const idle = window({ throughput: 500, inFlight: 2, busyShare: 0.1, othersBusy: 0.6 });
    const move = judged(law, idle);
    assert.equal(move?.because.kind, 'workers-idle');
    assert.equal(move.to.route, 'threads');
    const level = move.to.level;
    assert.ok(level > 1, `${level} per worker`);
    // Two windows judge the new level; threads that win then climb on, sharing the workers.
    const busier = window({ throughput: 1_500, inFlight: 2 * level, othersBusy: 1.2 });
    assert.equal(law.next(busier), undefined);
    const kept = law.next(busier);
    assert.equal(kept?.because.kind, 'threads-faster');
    assert.equal(kept.to.route, 'threads');
    assert.ok(kept.to.level > level, `${kept.to.level} per worker after ${level}`);
  });

  it('brings the work back to worker threads when a task still finishing there crashes one', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    law.next(window(computing));
    law.next(window(computing));
    const slow = window({ throughput: 100, busyShare: 0.05 });
    for (let i = 0; i < 2; i++) assert.equal(law.next(slow), undefined);
    assert.equal(law.next(slow)?.because.kind, 'threads-slower');
    const back = law.crash('killed by SIGSEGV');
    assert.deepEqual(back.to, { route: 'threads', level: 1 });
    assert.match(
      explain(back, 2),
      /crashed its worker thread \(killed by SIGSEGV\); on this thread a crash would end the whole program/,
    );
  });

  it('doubles the tasks in flight from a thread already fairly busy: a smaller step gains less than noise', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const move = law.next(window({ busyShare: 0.65 }));
    assert.equal(move?.because.kind, 'room');
    assert.deepEqual(move?.to, { route: 'loop', level: 128 });
    assert.match(
      explain(move!, 2),
      /busy 65% of the time lately .*, so it can keep more in flight/,
    );
  });

  it('calls a step from a thread busy most of the time lately a try, not room it measured', () => {
    const law = new Law(context, { route: 'loop', level: 64 });
    const move = law.next(window({ busyShare: 0.8, recentBusyShare: 0.95 }));
    assert.deepEqual(move?.to, { route: 'loop', level: 128 });
    const reason = explain(move!, 2);
    assert.doesNotMatch(reason, /can keep more/);
    assert.match(
      reason,
      /busy 95% of the time lately with 64 at a time on this thread: trying 128 at a time on this thread to see whether more in flight pays\.$/,
    );
  });

  it('measures again when its first window found the thread saturated: the program may have filled it', () => {
    // 10,000 submits made in one go before any task could finish: the thread was busy
    // with them all the first window, and the tasks that waited 5 ms took 80.
    const law = new Law(context, { route: 'loop', level: 64 });
    const start = window({
      busyShare: 1,
      cpuPerTaskMs: 2,
      fastestMs: 80,
      latencyMs: 85,
      throughput: 400,
      othersBusy: 0.7,
      contention: 0.3,
    });
    assert.equal(law.next(start), undefined);
    assert.deepEqual(law.at, { route: 'loop', level: 64 });
    assert.equal(law.threadsLikely, false);
    const after = law.next(window({ busyShare: 0.1, fastestMs: 5, latencyMs: 6 }));
    assert.equal(after?.because.kind, 'room');
    assert.ok(after.to.level >= 4 * 64, `went to ${after.to.level}`);
  });

  describe('on a saturated thread that worker threads would not help', () => {
    const noThreads = { ...context, threadsUnavailable: 'a plain function cannot be sent' };
    /** Busy 90%: timers firing on whole milliseconds leave gaps between bursts. */
    const gappy = window({ busyShare: 0.9, cpuPerTaskMs: 0.15, fastestMs: 5.2 });

    it('steps up while the steps fill its idle gaps; once it is fully busy, tries fewer', () => {
      const law = new Law(noThreads, { route: 'loop', level: 64 });
      assert.equal(law.next(gappy), undefined, 'the first window may have paid for the start');
      const fill = law.next(gappy);
      assert.equal(fill?.because.kind, 'fill');
      assert.deepEqual(fill?.to, { route: 'loop', level: 128 });
      // 8% more: over half of what the 10% idle could give at most.
      const full = law.next({ ...gappy, inFlight: 128, throughput: 1_080, busyShare: 0.97 });
      assert.equal(full?.because.kind, 'thin');
      assert.deepEqual(full?.to, { route: 'loop', level: 64 });
      const back = law.next({ ...gappy, inFlight: 64, throughput: 1_000, busyShare: 0.97 });
      assert.equal(back?.because.kind, 'thin-failed');
      assert.deepEqual(back?.to, { route: 'loop', level: 128 });
      assert.equal(law.next({ ...gappy, inFlight: 128, busyShare: 0.97 }), undefined, 'and holds');
    });

    it('tries fewer when a step up finished no more, and holds where fewer finish no more', () => {
      const law = new Law(noThreads, { route: 'loop', level: 64 });
      law.next(gappy);
      law.next(gappy);
      const fewer = law.next({ ...gappy, inFlight: 128, throughput: 1_020 });
      assert.equal(fewer?.because.kind, 'thin');
      assert.deepEqual(fewer?.to, { route: 'loop', level: 32 });
      const back = law.next({ ...gappy, inFlight: 32, throughput: 950 });
      assert.equal(back?.because.kind, 'thin-failed');
      assert.deepEqual(back?.to, { route: 'loop', level: 64 });
      assert.equal(law.next(gappy), undefined, 'no more tries at a saturated level');
    });

    it('goes on down while fewer in flight finish clearly more: many held at once cost more each', () => {
      // Each task holds a large buffer: with 64 of them alive, collecting garbage costs more.
      const law = new Law(noThreads, { route: 'loop', level: 64 });
      const at = (inFlight: number, throughput: number) =>
        window({ busyShare: 1, cpuPerTaskMs: 1000 / throughput, inFlight, throughput });
      assert.equal(law.next(at(64, 600)), undefined);
      assert.deepEqual(law.next(at(64, 600))?.to, { route: 'loop', level: 32 });
      const on = law.next(at(32, 900));
      assert.equal(on?.because.kind, 'fewer-better');
      assert.deepEqual(on?.to, { route: 'loop', level: 16 });
      assert.deepEqual(law.next(at(16, 1_150))?.to, { route: 'loop', level: 8 });
      const back = law.next(at(8, 1_100));
      assert.equal(back?.because.kind, 'thin-failed');
      assert.deepEqual(back?.to, { route: 'loop', level: 16 });
      assert.match(explain(back!, 2), /a plain function cannot be sent/);
    });

    it("holds without trying fewer where fewer could not cover the tasks' waits at its throughput", () => {
      // Replies of 50–150 ms parsed on this thread: at 2,000 a second they need 200 in
      // flight (Little's law), so half of 224 could not finish as many, let alone more.
      const law = new Law(noThreads, { route: 'loop', level: 64 });
      const replies = { cpuPerTaskMs: 0.45, fastestMs: 60, latencyMs: 112 };
      const up = law.next(window({ ...replies, busyShare: 0.2, throughput: 640, latencyMs: 100 }));
      assert.deepEqual(up?.to, { route: 'loop', level: 224 });
      const full = { ...replies, busyShare: 0.97, throughput: 2_000, inFlight: 224, spanMs: 120 };
      const stay = law.next(window(full));
      assert.equal(stay?.because.kind, 'saturated-stay');
      assert.deepEqual(stay?.to, { route: 'loop', level: 224 });
      // Short waits leave room for fewer: the same thread with replies of 5 ms tries 112.
      const short = new Law(noThreads, { route: 'loop', level: 64 });
      short.next(window({ ...replies, busyShare: 0.2, throughput: 640, latencyMs: 5 }));
      const fewer = short.next(window({ ...full, fastestMs: 5, latencyMs: 6 }));
      assert.equal(fewer?.because.kind, 'thin');
      assert.deepEqual(fewer?.to, { route: 'loop', level: 112 });
    });

    it('keeps a climb that made the thread saturated only if it paid', () => {
      const paid = new Law(noThreads, { route: 'loop', level: 64 });
      paid.next(window({ busyShare: 0.5 }));
      const on = paid.next({ ...gappy, inFlight: 128, throughput: 1_600 });
      assert.equal(on?.because.kind, 'fill');
      assert.deepEqual(on?.to, { route: 'loop', level: 256 });
      const unpaid = new Law(noThreads, { route: 'loop', level: 64 });
      unpaid.next(window({ busyShare: 0.5 }));
      const back = unpaid.next({ ...gappy, inFlight: 128, throughput: 1_050 });
      assert.equal(back?.because.kind, 'saturated-stay');
      assert.deepEqual(back?.to, { route: 'loop', level: 64 });
    });
  });

  describe('a step up stopped by a calling thread still warming up', () => {
    const noThreads = { ...context, threadsUnavailable: 'a plain function cannot be sent' };
    /** The law held at 64 after a step to 128 met the thread saturated at 0.3 ms of CPU per task. */
    const stopped = () => {
      const law = new Law(noThreads, { route: 'loop', level: 64 });
      law.next(window({ busyShare: 0.5, cpuPerTaskMs: 0.2 }));
      const up = { busyShare: 0.97, cpuPerTaskMs: 0.3, inFlight: 128, throughput: 1_050 };
      const back = law.next(window(up));
      assert.equal(back?.because.kind, 'saturated-stay');
      assert.deepEqual(back?.to, { route: 'loop', level: 64 });
      return law;
    };

    it('tries it again at once when the held level shows far less CPU per task', () => {
      const law = stopped();
      // Its JIT has compiled the hot paths since: 0.1 ms a task instead of 0.3 ms.
      const probe = law.next(window({ busyShare: 0.15, cpuPerTaskMs: 0.1 }));
      assert.equal(probe?.because.kind, 'probe');
      assert.deepEqual(probe?.to, { route: 'loop', level: 128 });
    });

    it('holds as usual while the CPU per task stays near what stopped it', () => {
      const law = stopped();
      const held = window({ busyShare: 0.4, cpuPerTaskMs: 0.25 });
      for (let i = 0; i < 4; i++) assert.equal(law.next(held), undefined);
    });
  });

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

    it('waits for a second saturated window when the CPU per task fell since (the thread was warming up)', () => {
      const law = new Law(context, { route: 'loop', level: 64 });
      const level = climbed(law);
      const saturated = window({ busyShare: 0.99, cpuPerTaskMs: 1, spanMs: 120, inFlight: level });
      assert.equal(law.next(saturated), undefined);
      assert.equal(law.next(saturated)?.because.kind, 'saturated');
    });
  });

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

    it('starts the workers loading as it steps up towards that, before any move', () => {
      const { law } = climbing();
      // 64 ÷ 30% busy: saturated at about 213, where threads would finish 1.9× as many.
      assert.equal(law.threadsLikely, true);
    });

    const unlikely: [string, Partial<WindowSummary>, Partial<LawContext>][] = [
      ['the thread would saturate only past its most in flight', { busyShare: 0.05 }, {}],
      ['threads would not beat it saturated (tasks of 0.1 ms)', { cpuPerTaskMs: 0.1 }, {}],
      ['threads cannot run the task', {}, { threadsUnavailable: 'only one CPU is usable' }],
    ];
    for (const [where, w, setting] of unlikely) {
      it(`starts no workers where ${where}`, () => {
        const law = new Law(
          { ...mapContext, maxPerWorker: MAX_TASKS_PER_WORKER, ...setting },
          at64,
        );
        const up = law.next(window({ ...replies, busyShare: 0.3, throughput: 580, ...w }));
        assert.equal(up?.to.route, 'loop');
        assert.ok(up.to.level > 64);
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
      for (const [i, w] of windows.entries())
        assert.equal(law.next(w), undefined, `window ${i + 1}`);
      assert.equal(law.next(at(0.7))?.because.kind, 'saturated', '100 ms after the fall');
    });

    it('is not fooled by a CPU clock that advances in scheduler ticks', () => {
      // 20–30 ms of CPU a window, read to ±4 ms: 0.9 and 0.6 ms a task in turn.
      const law = new Law(context, { route: 'loop', level: 64 });
      for (const [i, w] of [at(0.9), at(0.6), at(0.9)].entries())
        assert.equal(law.next(w), undefined, `window ${i + 1}`);
      assert.equal(law.next(at(0.6))?.because.kind, 'saturated');
    });
  });

  it('counts a message for each task that computes after it awaits: a worker holds it through the wait', () => {
    const computesInCall = window({ callShare: 0.95 });
    const computesAfterWait = window({ callShare: 0.1 });
    assert.equal(sendMs(computesInCall, true), CHUNK_DISPATCH_MS);
    assert.equal(sendMs(computesAfterWait, true), TASK_DISPATCH_MS);
    assert.equal(
      sendMs(computesInCall, false),
      TASK_DISPATCH_MS,
      'a submit is a message of its own',
    );
    // Waiting 5 ms, then computing 0.13 ms: chunked, 2 workers would finish 1.9× as many;
    // one to a message, 1.6× — not worth the move.
    const waitThenCompute = { busyShare: 1, cpuPerTaskMs: 0.13, fastestMs: 6, callShare: 0.1 };
    const law = new Law(mapContext, { route: 'loop', level: 64 });
    law.next(window(waitThenCompute));
    assert.equal(law.threadsLikely, false);
    assert.equal(law.next(window(waitThenCompute))?.to.route, 'loop');
    const inCall = new Law(mapContext, law.at);
    assert.equal(inCall.next(window({ ...waitThenCompute, callShare: 0.95 })), undefined);
    assert.equal(inCall.threadsLikely, true, 'the same CPU in the call is worth sending');
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

describe('the controller, told of long calls and starting workers', () => {
  /**
   * Runs two tasks on the calling thread, each computing 240 ms in its call, with the
   * process's other threads busy at `othersBusy` CPUs meanwhile (worker threads starting).
   */
  function twoLongCalls(othersBusy: number, startWorkers: boolean): Controller {
    let now = 0;
    let cpu = 0;
    let processCpu = 0;
    const instruments = {
      now: () => now,
      busy: () => ({ cpuMs: cpu, idleMs: 0, waitingMs: 0, processCpuMs: processCpu }),
    };
    const controller = new Controller(context, instruments, { route: 'loop', level: 64 });
    for (let i = 0; i < 2; i++) {
      const startedAt = controller.started('loop');
      now += 240;
      cpu += 240;
      processCpu += 240 * (1 + othersBusy);
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

  it('calls threads unlikely again once a window after one long call had time to spare (a lazy initialisation)', () => {
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
    // Then tasks that wait 5 ms, 64 at a time, the thread idle nearly all the while.
    for (let round = 0; round < 100 && !controller.threadsUnlikely; round++) {
      const started = Array.from({ length: 64 }, () => controller.started('loop'));
      now += 5;
      cpu += 0.2;
      idle += 4.8;
      for (const at of started) controller.finished('loop', at, 1, true);
    }
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
});

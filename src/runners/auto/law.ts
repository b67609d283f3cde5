/**
 * The control law: from one window of measurements at the current level to the next
 * level, and why. Pure — it sees numbers, never a clock or a task — so every rule can be
 * driven by scripted windows in a test.
 *
 * A level is where tasks run and how many at once: on the calling thread's event loop
 * (`loop`, n tasks in flight) or on worker threads (`threads`, n tasks per worker).
 *
 * - On the calling thread it climbs while the throughput rises with the tasks in flight.
 *   Once a step brings no gain (the tasks queue behind something that serves only so many
 *   at once — libuv's 4 threads, a server, a connection pool), it steps down from the best
 *   level while fewer tasks finish as many, and holds the last level that did.
 * - A calling thread that is busy all the time is the bottleneck: more in flight cannot
 *   help there, so the work moves to worker threads when they are predicted to run it
 *   clearly faster, starting at as many tasks per worker as cover a task's waits — or
 *   before it saturates, when a step up that queued nothing projects it (the workers start
 *   loading as soon as a step up looks headed there). The threads must then beat it (with
 *   more per worker while the workers idle), or the work moves back and the next move
 *   waits for longer evidence. When threads would not help and the thread is not fully
 *   busy, steps up are kept while they fill its gaps (one that failed is not tried again
 *   while the thread stays saturated; a hold there ends once it is clearly less busy).
 * - Held levels are watched: a throughput far from the one settled on, or busy workers
 *   gone idle, mean the work changed (a new phase of a `map`): the exploration starts
 *   again, on the calling thread when the threads fell. Now and then a held level tries
 *   one step up, to follow slow changes — at once when the step up it stopped at met a
 *   calling thread still warming up.
 * - Noise: windows hold many completions (see `window.ts`); a climb needs a clear share of
 *   the proportional gain, a step down nearly all of the best throughput, a phase change
 *   two windows in a row, a saturated start a handover's evidence; failed tries back off;
 *   a step up measured while the thread waited for a CPU is measured again.
 *
 * The law holds the state; the step after an exploration's first window
 * (`first-window.ts`), how far a step up goes (`climb.ts`), the levels an exploration
 * measured and the steps once a step up brought no more (`exploration.ts`, `descent.ts`),
 * the steps on a bottleneck thread that stays (`bottleneck.ts`), whether and when the work
 * moves to threads (`to-threads.ts`, from the evidence in `saturation.ts`, the move in
 * `handover.ts` and the threads' trial after it in `trial.ts`) and the watch over a held
 * level (`watch.ts`) are worked out beside it.
 */

import { Allowed } from './allowed.js';
import { afterThinning, atBottleneck } from './bottleneck.js';
import { nextStepUp, stepUp } from './climb.js';
import { Exploration } from './exploration.js';
import {
  FirstWindow,
  mayShareWorkers,
  type NoneFinished,
  type Sharing,
  whileNoneFinished,
} from './first-window.js';
import type { Handover } from './handover.js';
import type { WindowSummary } from './measures.js';
import {
  type Because,
  binding,
  heldByTasks,
  type LawContext,
  type Level,
  type Measured,
  type Move,
} from './moves.js';
import {
  gained,
  gainOver,
  type Holding,
  heldWhileSaturated,
  holding,
  leftBottleneck,
  type Phase,
  type Step,
  settlesStepUp,
} from './phases.js';
import { MAX_STEP, MIN_STEP, SATURATED, WAITING_TASKS_PER_WORKER } from './settings.js';
import { ToThreads } from './to-threads.js';
import { Watch } from './watch.js';

export class Law {
  readonly #context: LawContext;
  #at: Level;
  #phase: Phase = { kind: 'start' };
  readonly #exploration = new Exploration();
  readonly #watch = new Watch();
  readonly #firstWindow = new FirstWindow();
  readonly #allowed: Allowed;
  readonly #toThreads: ToThreads;
  readonly #start: Level;

  constructor(context: LawContext, start: Level) {
    this.#context = context;
    this.#allowed = new Allowed(context.threadsUnavailable);
    this.#toThreads = new ToThreads(context, this.#allowed, this.#watch);
    this.#start = start;
    this.#at = start;
  }

  /** The move to worker threads, as {@link ToThreads} keeps it. */
  get #handover(): Handover {
    return this.#toThreads.handover;
  }

  get at(): Level {
    return this.#at;
  }

  /**
   * The window the current level is kept for (for now); `undefined` while the level is on
   * trial — the first, a step up or down, a move between the calling thread and the workers.
   */
  get held(): Measured | undefined {
    return this.#phase.kind === 'holding' ? this.#phase.reference : undefined;
  }

  get pinned(): boolean {
    return this.#allowed.pinned;
  }

  get crashed(): boolean {
    return this.#allowed.crashed;
  }

  /** Worker threads may be asked for soon: they can start loading now (see {@link ToThreads.likely}). */
  get threadsLikely(): boolean {
    return this.#toThreads.likely(this.#at);
  }

  /** Worker threads begun on an earlier sign are not needed (see {@link ToThreads.ruledOut}). */
  get threadsRuledOut(): boolean {
    return this.#toThreads.ruledOut(this.#at);
  }

  /** A task on the calling thread spent `ms` in its synchronous call (see {@link ToThreads.called}). */
  called(ms: number): void {
    this.#toThreads.called(ms);
  }

  /**
   * Whether the next window will be compared with another (and so must last a full
   * turnover, measured again while its halves disagree): not the first one of an
   * exploration, which reads the busy share the first step goes by — unless the calling
   * thread is saturated and may hand its work over, when the window may be the baseline
   * the threads must beat. (Heavy-tailed waits at one task per worker never turn over
   * steadily: held to it, that window could last seconds.)
   */
  get comparing(): boolean {
    return this.#phase.kind !== 'start' || this.#toThreads.foreseen;
  }

  /**
   * Tasks must run where a timeout can stop them: on worker threads, for good. The move
   * is at once; there the law climbs from one task per worker.
   */
  pin(): Move {
    this.#allowed.pin();
    return this.#go({ route: 'threads', level: 1 }, { kind: 'start' }, { kind: 'pinned' });
  }

  /**
   * A task crashed its worker thread (`why`): the work stays on worker threads for good —
   * and goes back to them if it had left (the crash came from one still finishing there).
   * `last`: the last window measured at the current level, if any.
   */
  crash(why: string, last?: WindowSummary): Move {
    this.#allowed.crash();
    const measured: Measured | undefined = last && { ...last, ...this.#at };
    const to: Level = this.#at.route === 'threads' ? this.#at : { route: 'threads', level: 1 };
    const phase: Phase = this.#at.route === 'threads' ? this.#phase : { kind: 'start' };
    return this.#go(to, phase, { kind: 'crashed', why }, measured);
  }

  /**
   * Worker threads could not take the task (`why`): back to the calling thread, for good
   * (at the level it has, when it never left).
   */
  threadsFailed(why: string): Move {
    this.#allowed.threadsFailed(why);
    const level =
      this.#at.route === 'loop'
        ? this.#at.level
        : (this.#handover.baseline?.level ?? this.#start.level);
    return this.#go({ route: 'loop', level }, { kind: 'start' }, { kind: 'threads-failed', why });
  }

  /**
   * No task has finished yet, and `seen` shows the calling thread (see
   * {@link whileNoneFinished}): more in flight, up to the first window's jump from the start.
   */
  noneFinished(seen: NoneFinished): Move | undefined {
    if (this.#phase.kind !== 'start') return undefined;
    const most = Math.min(this.#context.maxLoop, this.#start.level * MAX_STEP);
    const step = whileNoneFinished(this.#at, seen, most);
    return step && this.#go(step.to, step.phase, step.because);
  }

  /** Whether a window taken before a full turnover already decides the step up on trial (see {@link settlesStepUp}). */
  settles(kinder: WindowSummary, stricter: WindowSummary): boolean {
    return settlesStepUp(this.#phase, this.#at, kinder, stricter);
  }

  /**
   * The calling thread went on with the work handed to worker threads while they started,
   * spending `cpuPerTaskMs` of its CPU on each task (see {@link Handover.ranMeanwhile}).
   */
  ranMeanwhile(cpuPerTaskMs: number): void {
    if (this.#phase.kind === 'verifying') this.#handover.ranMeanwhile(cpuPerTaskMs);
  }

  /** The answer to a closed window at the current level. */
  next(summary: WindowSummary): Move | undefined {
    const m: Measured = { ...summary, ...this.#at };
    if (m.route === 'loop') return this.#onLoop(m);
    return this.#onThreads(m);
  }

  #onLoop(m: Measured): Move | undefined {
    const lostTrial = this.#toThreads.onLoop();
    // A thread saturated in the window's later half is saturated now, however idle its
    // first half was: 64 tasks that wait 50 ms and then compute 20 ms each leave it idle
    // for 50 ms, then busy for over a second, and a step up would only put more there.
    // Busy with something other than its tasks, it is not theirs to relieve: more in flight
    // is judged by what it finishes, like any other level.
    const busy = m.busyShare >= SATURATED ? m.busyShare : m.recentBusyShare;
    if (busy >= SATURATED && heldByTasks(m)) {
      const saturated = { ...m, busyShare: busy };
      const back = lostTrial && this.#toThreads.retrial(lostTrial, saturated);
      return back ? this.#take(back, saturated) : this.#saturated(saturated);
    }
    this.#toThreads.unsaturated(m);
    this.#watch.loopKept();
    // Held because this thread was the bottleneck, and it clearly no longer is: explore afresh.
    if (leftBottleneck(this.#phase, busy)) this.#phase = { kind: 'start' };
    if (!binding(m, this.#context.workers)) return undefined;
    const first = this.#phase.kind === 'start';
    const move = this.#explore(m);
    if (!first) this.#toThreads.steppedUp(m, move);
    return move;
  }

  #onThreads(m: Measured): Move | undefined {
    const phase = this.#phase;
    if (phase.kind === 'verifying') {
      const verdict = this.#toThreads.judge(phase, m, this.#sharing);
      if (!verdict) return undefined;
      if (verdict.more) return this.#take(verdict.more, verdict.threads);
      if (verdict.back) return this.#take(verdict.back, verdict.threads);
      this.#phase = { kind: 'start' };
      const move = this.#explore(verdict.threads);
      return verdict.because ? { ...move!, because: verdict.because } : move;
    }
    if (!binding(m, this.#context.workers)) return undefined;
    return this.#explore(m);
  }

  /**
   * The calling thread is the bottleneck: the work moves to threads, or the level on it is
   * found (see `bottleneck.ts`) where they would not help.
   */
  #saturated(m: Measured): Move | undefined {
    const found = this.#toThreads.saturated(m);
    if (!found) return undefined;
    if (found.move) return this.#take(found.move, m);
    const phase = this.#phase;
    if (phase.kind === 'descending' || phase.kind === 'rechecking') return this.#explore(m);
    if (phase.kind === 'thinning') return this.#take(afterThinning(phase, m), m);
    if (heldWhileSaturated(phase)) return undefined;
    // The first windows may have paid for the program's start (loading, compiling, a burst
    // of submits) as much as for the tasks: the level moves on what a move to threads needs.
    if (phase.kind === 'start' && !this.#toThreads.saturation.convincing) return undefined;
    const { maxLoop } = this.#context;
    const step = atBottleneck(m, phase, found.whyNot(), { maxLoop, latencyMs: found.latencyMs });
    if (step.steppedUpInVain) this.#watch.stepUpInVain();
    return this.#take(step, m);
  }

  /** Climb, descend, hold or probe at the current route. */
  #explore(m: Measured): Move | undefined {
    const phase = this.#phase;
    if (phase.kind !== 'holding') this.#exploration.record(m);
    switch (phase.kind) {
      case 'start':
      case 'verifying':
        return this.#begin(m);
      case 'climbing':
        return this.#climbFrom(phase.previous, m);
      case 'probing':
        return this.#climbFrom(phase.from, m, true);
      case 'descending': {
        const step = this.#exploration.stepDown(phase.floor, m);
        if (step) return this.#take(step, m);
        return this.#exploreAgain(m, { kind: 'slowed', floor: phase.floor });
      }
      case 'rechecking': {
        const most = this.#most(phase.stepUp);
        return this.#take(this.#exploration.afterRecheck(phase, m, most, this.#context.workers), m);
      }
      case 'thinning':
        return this.#take(afterThinning(phase, m), m);
      case 'holding':
        return this.#onHeld(phase, m);
    }
  }

  /** The first window of an exploration. */
  #begin(m: Measured): Move | undefined {
    const step = this.#firstWindow.step(m, this.#sharing, this.#context);
    return step && this.#take(step, m);
  }

  get #sharing(): Sharing {
    return {
      pinned: this.#allowed.pinned,
      oneTaskPerWorker: this.#handover.oneTaskPerWorker,
      workers: this.#context.workers,
    };
  }

  /** After a step up from `previous`: on while the throughput rose with the tasks in flight. */
  #climbFrom(previous: Measured, m: Measured, probing = false): Move | undefined {
    if (gained(previous, m)) {
      this.#watch.stepUpPaid();
      const moved = this.#toThreads.saturating(previous, m);
      if (moved) return this.#take(moved, m);
      const waiting = m.level >= WAITING_TASKS_PER_WORKER && !this.#handover.loopSaturated;
      if (m.route === 'threads' && waiting && this.#allowed.mayLeaveThreads) {
        // So many in flight per worker means the tasks mostly wait: try the calling thread.
        const level = this.#asManyOnLoop(m);
        return this.#go({ route: 'loop', level }, { kind: 'start' }, { kind: 'mostly-waiting' }, m);
      }
      return this.#take(nextStepUp(previous, m, this.#most(m), this.#context.workers), m);
    }
    if (this.#exploration.heldOffCpu(previous, m)) return undefined;
    if (!probing) return this.#take(this.#exploration.noGain(previous, m), m);
    this.#watch.stepUpInVain();
    const because: Because = { kind: 'probe-failed', gain: gainOver(previous, m), from: previous };
    return this.#go({ route: m.route, level: previous.level }, holding(previous), because, m);
  }

  /** A window at a held level: explore again when the work changed, probe now and then. */
  #onHeld(phase: Holding, m: Measured): Move | undefined {
    const sighting = this.#watch.see(phase, m, this.#context.workers);
    if (sighting === 'probe') {
      if (!mayShareWorkers(m, this.#sharing, true)) return undefined;
      // A probe begins a new exploration from the held level as it measures now: a level held
      // for days is probed thousands of times, and what was measured before it is stale.
      this.#exploration.restart(m);
      return this.#take(stepUp(m, MIN_STEP, this.#most(m), { kind: 'probe' }, true), m);
    }
    if (!sighting) return undefined;
    this.#handover.workChanged();
    const because: Because = { kind: 'changed', reference: phase.reference };
    if (m.route === 'threads' && sighting === 'fell' && this.#allowed.mayLeaveThreads) {
      // The threads finish fewer than they did: the work may wait now, which the calling thread does best.
      const level = this.#handover.baseline?.level ?? this.#asManyOnLoop(m);
      this.#watch.movedToLoop();
      return this.#go({ route: 'loop', level }, { kind: 'start' }, because, m);
    }
    return this.#exploreAgain(m, because);
  }

  /**
   * A new exploration from `m`, as the work now is (it changed, or the tasks slowed where a
   * knee seemed to be): what was measured before it no longer counts.
   */
  #exploreAgain(m: Measured, because: Because): Move | undefined {
    this.#exploration.restart(m);
    this.#phase = { kind: 'start' };
    const move = this.#begin(m);
    return move && { ...move, because };
  }

  /** As many in flight on the calling thread as the workers held in `m`, up to `maxLoop`. */
  #asManyOnLoop(m: Measured): number {
    return Math.min(this.#context.maxLoop, m.level * this.#context.workers);
  }

  /** The highest level on `m`'s route. */
  #most(m: Measured): number {
    return m.route === 'loop' ? this.#context.maxLoop : this.#context.maxPerWorker;
  }

  #take(step: Step, measured: Measured): Move {
    return this.#go(step.to, step.phase, step.because, measured);
  }

  #go(to: Level, phase: Phase, because: Because, measured?: Measured): Move {
    if (to.route !== this.#at.route) {
      this.#exploration.clear();
      this.#toThreads.saturation.end();
    }
    this.#at = { route: to.route, level: to.level };
    this.#phase = phase;
    return { to: this.#at, because, measured };
  }
}

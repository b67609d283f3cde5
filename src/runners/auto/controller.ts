/**
 * `auto`'s feedback controller for one task: it is told when runs start and finish (and
 * where), measures them in windows, asks the control law what to do after each window,
 * and keeps the decision users read — the current level, its reason and the moves that
 * led there. Pure like the law: time and the calling thread's busy counters come from the
 * {@link Instruments} it is given, so a test drives it with scripted completions.
 */
import type { Decision, DecisionStep, Workload } from '../../core/types.js';
import { Law } from './law.js';
import { type BusyReading, busyShare, type Instruments, type WindowSummary } from './measures.js';
import {
  fastestPerInputMs,
  heldByTasks,
  type LawContext,
  type Level,
  type Move,
  type Route,
} from './moves.js';
import { withoutOwnStart } from './own-start.js';
import { explain } from './reasons.js';
import {
  HISTORY_LENGTH,
  SATURATED,
  TINY_TASK_MS,
  WAITS_DOMINATE,
  WARMING_STRETCH_CPU_MS,
} from './settings.js';
import { MeasurementWindow } from './window.js';

export class Controller {
  readonly #instruments: Instruments;
  readonly #context: LawContext;
  readonly #law: Law;
  readonly #onMove: (to: Level) => void;
  readonly #inFlight: Record<Route, number> = { loop: 0, threads: 0 };
  /** `undefined` while tasks on the other route finish: a window measures one route alone. */
  #window: MeasurementWindow | undefined;
  #reason: string;
  readonly #history: DecisionStep[] = [];
  #last: WindowSummary | undefined;
  /** The level {@link #last} was measured at. */
  #lastAt: Level | undefined;
  /** The last window measured on the calling thread: what `workload` is judged by. */
  #lastOnLoop: WindowSummary | undefined;
  #completions = 0;
  /** When the first run started, and the calling thread's busy counters then. */
  #firstStart: { readonly at: number; readonly busy: BusyReading } | undefined;
  #decision: Decision | undefined;
  /** Tasks per worker the calling thread's measurements asked for when it handed the work over. */
  #handedOver: number | undefined;
  /** Worker threads are starting: from `workersStarting` to `workersReady`. */
  #workersStarting = false;
  /** The current window was open while worker threads were starting. */
  #windowSawStart = false;
  /**
   * Since the work was handed to worker threads still starting: the calling thread's CPU
   * time then, and the inputs it has finished since (the tasks go on there until the
   * workers are ready).
   */
  #sinceHandover: { readonly cpuMs: number; inputs: number } | undefined;

  /** `onMove` is told each new level, after the decision has been updated. */
  constructor(
    context: LawContext,
    instruments: Instruments,
    start: Level,
    onMove: (to: Level) => void = () => {},
  ) {
    this.#instruments = instruments;
    this.#context = context;
    this.#law = new Law(context, start);
    this.#onMove = onMove;
    this.#window = new MeasurementWindow(instruments, 0, this.#law.comparing);
    this.#reason = explain(
      { to: start, because: { kind: 'start' }, measured: undefined },
      context.workers,
    );
  }

  get level(): Level {
    return this.#law.at;
  }

  get pinned(): boolean {
    return this.#law.pinned;
  }

  /** Worker threads may be asked for soon (see {@link Law.threadsLikely}). */
  get threadsLikely(): boolean {
    return this.#law.threadsLikely;
  }

  /**
   * Threads are no longer likely, and the calling thread's last window had time to spare
   * or ruled them out (see {@link Law.threadsRuledOut}): workers begun on an earlier sign
   * (a long call, a busy first window) are not needed now.
   */
  get threadsUnlikely(): boolean {
    const last = this.#lastOnLoop;
    return (
      !this.#law.threadsLikely &&
      this.#law.at.route === 'loop' &&
      last !== undefined &&
      (last.busyShare < SATURATED || !heldByTasks(last) || this.#law.threadsRuledOut)
    );
  }

  /** The last window closed on the calling thread, if any. */
  get lastOnLoop(): WindowSummary | undefined {
    return this.#lastOnLoop;
  }

  /** Tasks in flight on `route`. */
  inFlight(route: Route): number {
    return this.#inFlight[route];
  }

  /** A run starts on `route`; returns the time it started. */
  started(route: Route): number {
    const now = this.#instruments.now();
    this.#firstStart ??= { at: now, busy: this.#instruments.busy(true) };
    if (route === this.#law.at.route) this.#window?.started(now, this.#inFlight[route]);
    this.#inFlight[route]++;
    return now;
  }

  /** A run on the calling thread spent `ms` in its synchronous call. */
  called(ms: number): void {
    if (this.#law.at.route !== 'loop') return;
    this.#window?.called(ms);
    this.#law.called(ms);
  }

  /** A run (or chunk of `inputs`) that started at `startedAt` on `route` finished. */
  finished(route: Route, startedAt: number, inputs: number, ok: boolean): void {
    const now = this.#instruments.now();
    const at = this.#law.at.route;
    const window = this.#window;
    const ready =
      route === at
        ? window?.finished(now, this.#inFlight[route], now - startedAt, inputs, ok)
        : undefined;
    this.#inFlight[route]--;
    this.#completions += inputs;
    if (route === 'loop' && this.#sinceHandover) this.#sinceHandover.inputs += inputs;
    if (route !== at && !window && this.#inFlight[route] === 0) this.#measure(false);
    if (!ready) return;
    const measured = window!.summary(now);
    // Before a full turnover, only a step that shows no gain even by the kinder estimate,
    // or a gain in proportion even by the stricter one, is decided: work that queues for
    // a bounded resource is not kept at a level it does not need for a whole turnover,
    // which is longest there, and work that queues for nothing climbs on at once — a
    // turnover of replies of 200 ms takes 200 ms.
    const kinder = ready === 'early' && { ...measured, throughput: window!.kinderThroughput(now) };
    if (kinder && !this.#law.settles(kinder, measured)) return;
    // Worker threads starting take CPU from this thread and busy other cores, but they are
    // what the work would move to, not other work it would compete with there.
    const summary = this.#windowSawStart ? withoutOwnStart(measured, this.#context.cpus) : measured;
    this.#last = summary;
    this.#lastAt = this.#law.at;
    if (route === 'loop') this.#lastOnLoop = summary;
    this.#decision = undefined;
    const before = this.#law.at;
    const move = this.#law.next(summary);
    if (move) this.#apply(move, before);
    else this.#measure(true);
  }

  /**
   * No run may have finished yet (see `NONE_FINISHED_MS`): the level may rise, where `more`
   * tasks are offered than are in flight. Returns in how many ms to ask again — as long as
   * the first run has been going, so that the level doubles as the wait so far does — or
   * `undefined` once a run has finished or the work has left the calling thread.
   */
  noneFinished(more: boolean): number | undefined {
    const first = this.#firstStart;
    if (this.#completions > 0 || !first || this.#law.at.route !== 'loop') return undefined;
    const afterMs = this.#instruments.now() - first.at;
    if (!more) return afterMs;
    const before = this.#law.at;
    const move = this.#law.noneFinished({
      inFlight: this.#inFlight.loop,
      afterMs,
      busyShare: busyShare(first.busy, this.#instruments.busy(true)),
    });
    // The window begins again at once: nothing of the level left has finished to be in it.
    if (move) this.#apply(move, before, true);
    return afterMs;
  }

  /** Worker threads begin to start (see {@link threadsLikely}). */
  workersStarting(): void {
    this.#workersStarting = true;
    this.#windowSawStart = true;
  }

  /**
   * The worker threads started (or failed to). What the calling thread's tasks cost it
   * while they started, if it went on with the work handed to them, tells the law what it
   * does now (see {@link Law.ranMeanwhile}); a reading of too little CPU time says nothing.
   */
  workersReady(): void {
    this.#workersStarting = false;
    const since = this.#sinceHandover;
    this.#sinceHandover = undefined;
    if (!since || since.inputs === 0) return;
    const cpuMs = this.#instruments.busy(true).cpuMs - since.cpuMs;
    if (cpuMs >= WARMING_STRETCH_CPU_MS) this.#law.ranMeanwhile(cpuMs / since.inputs);
  }

  /** A timeout was set: from now on the tasks run where it can stop them. */
  pin(): void {
    if (this.#law.pinned) return;
    const before = this.#law.at;
    this.#apply(this.#law.pin(), before);
  }

  /** Whether a task crashed its worker thread (and so stays on worker threads). */
  get crashed(): boolean {
    return this.#law.crashed;
  }

  /** A task crashed its worker thread: the work stays on worker threads. */
  crashedWorker(why: string): void {
    const before = this.#law.at;
    const at = this.#lastAt;
    const last = at?.route === before.route && at.level === before.level ? this.#last : undefined;
    this.#apply(this.#law.crash(why, last), before);
  }

  /** Worker threads could not take the task: it stays on the calling thread. */
  threadsFailed(why: string): void {
    const before = this.#law.at;
    this.#apply(this.#law.threadsFailed(why), before);
  }

  decision(): Decision {
    this.#decision ??= this.#describe();
    return this.#decision;
  }

  /**
   * Takes up `move`, made at level `before` (the measured one, when a window led to it);
   * `goesOn`: the next window opens at once, as it does where the level stays.
   */
  #apply(move: Move, before: Level, goesOn?: boolean): void {
    const from = move.measured ?? before;
    const moved = from.route !== move.to.route || from.level !== move.to.level;
    this.#reason = explain(move, this.#context.workers, this.#law.held !== undefined);
    const handedOver = move.because.kind === 'saturated' || move.because.kind === 'saturating';
    if (handedOver) this.#handedOver = move.to.level;
    if (moved)
      this.#sinceHandover = handedOver
        ? { cpuMs: this.#instruments.busy(true).cpuMs, inputs: 0 }
        : undefined;
    // A crash is kept in the history even where the work stays: it is why it never leaves.
    if (moved || move.because.kind === 'crashed') {
      const now = this.#instruments.now();
      this.#history.push({
        atMs: Math.round(now - (this.#firstStart?.at ?? now)),
        mode: from.route,
        concurrency: this.#concurrency(from),
        ...(from.route === 'threads' ? { tasksPerWorker: from.level } : {}),
        throughput: Math.round(move.measured?.throughput ?? 0),
        reason: this.#reason,
      });
      if (this.#history.length > HISTORY_LENGTH) this.#history.shift();
    }
    this.#decision = undefined;
    this.#measure(goesOn ?? !moved);
    if (moved) this.#onMove(move.to);
  }

  /**
   * Begins the next window: at once when the level goes on; else after the tasks now in
   * flight have finished (see `window.ts`) — and not before every task on the other route
   * has.
   */
  #measure(goesOn: boolean): void {
    this.#windowSawStart = this.#workersStarting;
    const at = this.#law.at;
    const other = at.route === 'loop' ? 'threads' : 'loop';
    const comparing = this.#law.comparing;
    if (this.#inFlight[other] > 0) this.#window = undefined;
    else if (goesOn) this.#window = new MeasurementWindow(this.#instruments, 0, comparing, true);
    else
      this.#window = new MeasurementWindow(this.#instruments, this.#inFlight[at.route], comparing);
  }

  #concurrency(level: Level): number {
    return level.route === 'loop' ? level.level : level.level * this.#context.workers;
  }

  #describe(): Decision {
    const at = this.#law.at;
    const last = this.#last;
    const measured: Record<string, number> = { cpus: this.#context.cpus };
    measured.completed = this.#completions;
    if (last) {
      measured.throughput = last.throughput;
      measured.latencyMs = last.latencyMs;
      measured.inFlight = last.inFlight;
      measured.busyShare = last.busyShare;
      measured.cpuPerTaskMs = last.cpuPerTaskMs;
    }
    const workload = this.#workload();
    const held = this.#law.held;
    return {
      mode: at.route,
      concurrency: this.#concurrency(at),
      ...(at.route === 'threads'
        ? { workers: this.#context.workers, tasksPerWorker: at.level }
        : {}),
      ...(held === undefined ? {} : { throughput: Math.round(held.throughput) }),
      reason: this.#reason,
      measured,
      history: [...this.#history],
      ...(workload ? { workload } : {}),
    };
  }

  /**
   * What the work is, by what sent it where it is and the last window on the calling
   * thread. Handed to worker threads by a saturated calling thread: CPU-bound if one task
   * per worker was asked for; I/O-bound if even the fastest task there took many times its
   * CPU time beyond what waiting behind the others' CPU explains — the little CPU of many
   * waiting tasks saturated the thread, and they wait on the workers all the same; else
   * mixed. On worker threads for a timeout, I/O-bound once tasks share workers (they wait),
   * else not known. On the calling thread: I/O-bound when even the fastest task took many
   * times its CPU time (it waits, whatever else keeps the thread busy — reading the input,
   * say); else, once the thread is the bottleneck, tiny or CPU-bound; mixed otherwise.
   * `undefined` before a first window.
   */
  #workload(): Workload | undefined {
    const at = this.#law.at;
    const m = this.#lastOnLoop;
    if (at.route === 'threads') {
      if (this.#law.pinned) return at.level > 1 ? 'io-bound' : undefined;
      if (this.#handedOver === 1) return 'cpu-bound';
      return m && waitsBeyondQueueing(m) ? 'io-bound' : 'mixed';
    }
    if (!m) return undefined;
    // Not waitsBeyondQueueing: a task queues behind only some of those in flight, and
    // subtracting all of them would call 20 ms sleeps at 1,024 in flight (30 µs each, a
    // saturated thread) tiny.
    if (fastestPerInputMs(m) >= WAITS_DOMINATE * m.cpuPerTaskMs) return 'io-bound';
    if (m.busyShare < SATURATED) return 'mixed';
    return m.cpuPerTaskMs < TINY_TASK_MS ? 'tiny' : 'cpu-bound';
  }
}

/**
 * Even the fastest task of `m` took many times its CPU time beyond what waiting behind the
 * others' CPU could explain (all of it, on a saturated thread): it waits on something else.
 * Per input (see {@link fastestPerInputMs}): a chunk waits behind the others in flight once
 * for all of its inputs.
 */
function waitsBeyondQueueing(m: WindowSummary): boolean {
  const queuedPerInput = m.busyShare >= SATURATED ? m.inFlight * m.cpuPerTaskMs : 0;
  return fastestPerInputMs(m) - queuedPerInput >= WAITS_DOMINATE * m.cpuPerTaskMs;
}

/**
 * One window of measurements at one level: completions counted as they happen, the tasks
 * in flight integrated over time, and the calling thread's busy share between the
 * window's first and last reading. Pure: the clock and the busy counters are given.
 *
 * After a level change a window opens only once the tasks in flight then have finished,
 * so that it measures the new level, not the tail of the old one. It
 * closes on completions, not on time alone (see `settings.ts`): enough of them to compare,
 * and — for a window whose throughput will be compared with another's — at least as many
 * as were in flight, one full turnover.
 *
 * Throughput is the lower of two estimates. Little's law — mean tasks in flight ÷ mean
 * latency — is smooth where counting is not: tasks started together finish in waves, and
 * a count over a span that holds part of a wave is off by up to the number in flight (the
 * error the .NET thread pool's hill climbing guards against with long samples). But while
 * a level ramps up, the tasks that finish first are the fast ones, so Little's law
 * overstates it, while the count understates it; a bounded resource, busy all along,
 * keeps the count right. The lower of the two cannot make a step look better than it
 * was, and in a steady state they agree.
 *
 * The busy share is also read over the window's later half (from a reading after each of
 * its first runs, then at powers of two of them, the last one at or before half of them),
 * for how far a climb may go: a thread still warming up — its JIT compiling the task and
 * switchyard's own paths, which costs several times a warm task's CPU in the first tens of
 * ms — is busier in the first half than it will be from then on; one whose first tasks
 * waited before they computed is idle in the first half, and saturated from then on.
 *
 * A window that will be compared must also be steady: its two halves, each estimated the
 * same way, must agree. Where they do not — garbage collection pausing a thread for tens
 * of ms at a time, a JIT still warming up, a resource that serves in bursts, the work
 * itself changing — one window says little about the level, so it begins again, twice as
 * long, a few times at most (see {@link UNSTEADY}). Work whose throughput is steady pays
 * nothing for this.
 */

import { type BusyReading, busyShare, type Instruments, type WindowSummary } from './measures.js';
import {
  HALF_READING_RUNS,
  MAX_WINDOW_RESTARTS,
  MIN_COMPLETIONS,
  MIN_WINDOW_MS,
  SATURATED,
  SLOW_COMPLETIONS,
  SLOW_WINDOW_MS,
  UNSTEADY,
} from './settings.js';

export class MeasurementWindow {
  readonly #instruments: Instruments;
  /** Completions still to let pass before the window opens. */
  #skip: number;
  #opened = false;
  #openedAt = 0;
  #busyAtOpen: BusyReading = { cpuMs: 0, idleMs: 0 };
  #lastEventAt = 0;
  #inFlightArea = 0;
  #completions = 0;
  #failures = 0;
  #latencySum = 0;
  #finishedRuns = 0;
  #fastest = Number.POSITIVE_INFINITY;
  #callMs = 0;
  /** Per finished run, the time, and the inputs, latencies and in-flight area so far: the halves' tallies. */
  #marks: Mark[] = [];
  /**
   * Busy readings after each of the first {@link HALF_READING_RUNS} finished runs (a slow
   * window may hold no more), then at powers of two of them.
   */
  #readings: { readonly runs: number; readonly busy: BusyReading }[] = [];
  /** Runs finished at which the next `'early'` look is offered. */
  #nextCheckpoint = MIN_COMPLETIONS;
  readonly #turnover: boolean;
  /** Times the window was found unsteady and began again, longer. */
  #restarts = 0;
  /** ms it must last before it may close, once it began again. */
  #minSpanMs = 0;

  /**
   * `skip`: tasks in flight now that belong to the level being left; with none, the
   * window opens when the next task starts (at once with `openNow`: the level goes on).
   * `turnover`: the window will be compared with another, so it lasts at least one
   * turnover of the tasks in flight.
   */
  constructor(instruments: Instruments, skip: number, turnover: boolean, openNow = false) {
    this.#instruments = instruments;
    this.#skip = skip;
    this.#turnover = turnover;
    if (openNow) this.#open(instruments.now());
  }

  /** A task starts, `inFlight` having been in flight until `now`. */
  started(now: number, inFlight: number): void {
    if (!this.#opened && this.#skip === 0) this.#open(now);
    else this.#advance(now, inFlight);
  }

  /** A task's synchronous call on the calling thread took `ms`. */
  called(ms: number): void {
    if (this.#opened) this.#callMs += ms;
  }

  /**
   * A run (or chunk of `inputs`) finished after `latencyMs`, `inFlight` (itself
   * included) having been in flight until `now`. Returns `'full'` once the window has
   * enough to close, `'early'` at checkpoints before that (32, 64, 128… completions) where
   * a window that will be compared may already show enough (see {@link summary}).
   */
  finished(
    now: number,
    inFlight: number,
    latencyMs: number,
    inputs: number,
    ok: boolean,
  ): 'full' | 'early' | undefined {
    if (!this.#opened) {
      if (this.#skip > 0 && --this.#skip === 0) this.#open(now);
      return undefined;
    }
    this.#advance(now, inFlight);
    this.#completions += inputs;
    if (!ok) this.#failures += inputs;
    this.#latencySum += latencyMs;
    this.#finishedRuns++;
    this.#fastest = Math.min(this.#fastest, latencyMs);
    const span = now - this.#openedAt;
    // Runs, not inputs: a chunk of 25 inputs is one completion to time, and a window of
    // two chunks measures a rate no better than a window of two tasks.
    const runs = this.#finishedRuns;
    if (runs < HALF_READING_RUNS || (runs & (runs - 1)) === 0) {
      this.#readings.push({ runs, busy: this.#instruments.busy(true) });
    }
    if (this.#turnover) this.#mark(now, inputs, latencyMs);
    const enough =
      (runs >= MIN_COMPLETIONS && span >= MIN_WINDOW_MS) ||
      (runs >= SLOW_COMPLETIONS && span >= SLOW_WINDOW_MS);
    if (!enough || span < this.#minSpanMs) return undefined;
    if (!this.#turnover) return 'full';
    const turnedOver = runs >= this.#inFlightArea / span;
    if (!turnedOver && runs < this.#nextCheckpoint) return undefined;
    if (this.#restarts < MAX_WINDOW_RESTARTS && this.#unsteady() && !this.#saturated()) {
      // Half of it would have said something else: measure again, for twice as long.
      // Again, not on: if the work itself changed, the new window sees only what it is now.
      this.#restarts++;
      this.#open(now);
      this.#minSpanMs = 2 * span;
      this.#nextCheckpoint = MIN_COMPLETIONS;
      return undefined;
    }
    if (turnedOver) return 'full';
    this.#nextCheckpoint = 2 * runs;
    return 'early';
  }

  /**
   * The higher of the window's two throughput estimates, for a look before a full
   * turnover: a step that shows no gain even so has none.
   */
  kinderThroughput(now: number): number {
    const { counted, little } = this.#rates(now);
    return Math.max(counted, little);
  }

  /** What the window measured. */
  summary(now: number): WindowSummary {
    const { span, runs, latency, inFlight, inputsPerRun, counted, little } = this.#rates(now);
    const busy = this.#instruments.busy();
    const cpu = Math.max(0, busy.cpuMs - this.#busyAtOpen.cpuMs);
    const waiting = Math.max(0, (busy.waitingMs ?? 0) - (this.#busyAtOpen.waitingMs ?? 0));
    const idle = Math.max(0, busy.idleMs - this.#busyAtOpen.idleMs);
    // Blocked in the tasks' calls: their time there beyond all the thread's CPU, within the
    // time it was neither idle nor waiting for a CPU. Not blocked elsewhere: a process held
    // up as it starts (loading code from disk, say) would not be any quicker on more threads.
    const active = span - idle - waiting;
    const blocked = Math.max(0, Math.min(this.#callMs - cpu, active - cpu));
    const processCpu =
      busy.processCpuMs === undefined || this.#busyAtOpen.processCpuMs === undefined
        ? cpu
        : busy.processCpuMs - this.#busyAtOpen.processCpuMs;
    const workersCpu =
      busy.workersCpuMs === undefined || this.#busyAtOpen.workersCpuMs === undefined
        ? undefined
        : Math.max(0, busy.workersCpuMs - this.#busyAtOpen.workersCpuMs);
    return {
      completions: this.#completions,
      failures: this.#failures,
      spanMs: span,
      throughput: this.#turnover ? Math.min(counted, little) : counted,
      latencyMs: latency,
      fastestMs: Number.isFinite(this.#fastest) ? this.#fastest : 0,
      inFlight,
      inputsPerRun,
      busyShare: busyShare(this.#busyAtOpen, busy),
      recentBusyShare: busyShare(this.#laterHalf(runs), busy),
      contention: cpu + waiting > 0 ? waiting / (cpu + waiting) : 0,
      cpuPerTaskMs: this.#completions > 0 ? cpu / this.#completions : 0,
      heldPerTaskMs: this.#completions > 0 ? (cpu + blocked) / this.#completions : 0,
      heldShare: active > 0 ? Math.min(1, (cpu + blocked) / active) : 1,
      othersBusy: Math.max(0, processCpu - cpu) / span,
      ...(workersCpu === undefined ? {} : { ownWorkersBusy: workersCpu / span }),
      callShare: cpu > 0 ? Math.min(1, this.#callMs / cpu) : 0,
    };
  }

  /** The span so far, its mean latency and tasks in flight, and the two throughput estimates (see the class). */
  #rates(now: number) {
    const span = Math.max(now - this.#openedAt, 1e-3);
    const runs = Math.max(this.#finishedRuns, 1);
    const latency = this.#latencySum / runs;
    const inFlight = this.#inFlightArea / span;
    const inputsPerRun = this.#completions / runs;
    const counted = (this.#completions / span) * 1000;
    const little = latency > 0 ? ((inFlight * inputsPerRun) / latency) * 1000 : counted;
    return { span, runs, latency, inFlight, inputsPerRun, counted, little };
  }

  /** The busy reading the window's later half starts from (its opening one when it has none). */
  #laterHalf(runs: number): BusyReading {
    let from = this.#busyAtOpen;
    for (const reading of this.#readings) if (reading.runs <= runs / 2) from = reading.busy;
    return from;
  }

  #mark(now: number, inputs: number, latencyMs: number): void {
    const last = this.#marks.at(-1);
    this.#marks.push({
      at: now,
      inputs: (last?.inputs ?? 0) + inputs,
      latencyMs: (last?.latencyMs ?? 0) + latencyMs,
      area: this.#inFlightArea,
    });
  }

  /**
   * Whether the runs finished in the first half of the window and those in the second
   * give throughputs further apart than {@link UNSTEADY} of their mean.
   */
  #unsteady(): boolean {
    const marks = this.#marks;
    const half = Math.floor(marks.length / 2);
    if (half < SLOW_COMPLETIONS) return false;
    const start: Mark = { at: this.#openedAt, inputs: 0, latencyMs: 0, area: 0 };
    const middle = marks[half - 1]!;
    const first = halfThroughput(start, middle, half);
    const second = halfThroughput(middle, marks.at(-1)!, marks.length - half);
    const mean = (first + second) / 2;
    return mean > 0 && Math.abs(first - second) > UNSTEADY * mean;
  }

  /**
   * Whether the calling thread has been busy nearly all the window: its work is then
   * judged by how much of it computes, not by a throughput compared with another level's,
   * so an unsteady one is no reason to measure longer.
   */
  #saturated(): boolean {
    return busyShare(this.#busyAtOpen, this.#instruments.busy(true)) >= SATURATED;
  }

  #advance(now: number, inFlight: number): void {
    if (!this.#opened) return;
    this.#inFlightArea += inFlight * (now - this.#lastEventAt);
    this.#lastEventAt = now;
  }

  #open(now: number): void {
    this.#opened = true;
    this.#openedAt = now;
    this.#lastEventAt = now;
    this.#busyAtOpen = this.#instruments.busy();
    this.#inFlightArea = 0;
    this.#completions = 0;
    this.#failures = 0;
    this.#latencySum = 0;
    this.#finishedRuns = 0;
    this.#fastest = Number.POSITIVE_INFINITY;
    this.#callMs = 0;
    this.#marks = [];
    this.#readings = [];
  }
}

/** Tallies of a window up to one finished run. */
interface Mark {
  readonly at: number;
  readonly inputs: number;
  readonly latencyMs: number;
  /** Tasks in flight integrated over time, in task·ms. */
  readonly area: number;
}

/** Throughput between two marks, `runs` runs apart: the lower of the count and Little's law, as a window's. */
function halfThroughput(from: Mark, to: Mark, runs: number): number {
  const span = Math.max(to.at - from.at, 1e-3);
  const inputs = to.inputs - from.inputs;
  const counted = (inputs / span) * 1000;
  const latency = (to.latencyMs - from.latencyMs) / runs;
  if (latency <= 0) return counted;
  const little = (((to.area - from.area) / span) * (inputs / runs) * 1000) / latency;
  return Math.min(counted, little);
}

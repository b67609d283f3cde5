/**
 * The profiler's measuring half: it is offered task runs and decides which of them become
 * samples, runs those in the calling thread and times them. First a few one at a time,
 * which gives each task's own wall and CPU time cleanly (when tasks overlap on one thread,
 * CPU time cannot be told apart per task); then, unless the work is plainly CPU-bound, a
 * few overlapped, which shows how much concurrency helps — and, while it keeps helping,
 * more at once, which shows the CPU cost per task a busy event loop will have. Sampled
 * runs are real runs: their results are the caller's results, nothing is run twice.
 */
import { type Abortable, abortError, isAborted, onAbort } from '../../primitives/abort.js';
import { classify, type Measurements } from './classify.js';
import { threadCpuMs } from './thread-cpu.js';
import {
  IO_BOUND_SHARE,
  OVERLAP_SCALING,
  OVERLAPPED_LEVELS,
  SAMPLE_PATIENCE_MS,
  SEQUENTIAL_SAMPLE,
  SHORT_TASK_MS,
  SHORT_TASK_SAMPLE,
  STEADY_VARIATION,
} from './thresholds.js';

/** What {@link Sampler.offer} resolves with for a run it did not take: run it elsewhere. */
export const NOT_SAMPLED: unique symbol = Symbol('switchyard.notSampled');

export interface SamplePlan {
  readonly sequential: { readonly min: number; readonly max: number };
  /** How many to run at once at each level; a level after the first only while overlapping scales. */
  readonly overlapped: readonly number[];
}

export const DEFAULT_PLAN: SamplePlan = {
  sequential: SEQUENTIAL_SAMPLE,
  overlapped: OVERLAPPED_LEVELS,
};

/** A plan for a sample of about `size` inputs: half alone, half overlapped at one level. */
export function planForSize(size: number): SamplePlan {
  const max = Math.max(2, Math.ceil(size / 2));
  return {
    sequential: { min: Math.min(SEQUENTIAL_SAMPLE.min, max), max },
    overlapped: size > max ? [size - max] : [],
  };
}

/** Most inputs a plan may sample. */
export function planSize(plan: SamplePlan, sequential = plan.sequential.max): number {
  return sequential + plan.overlapped.reduce((a, b) => a + b, 0);
}

interface Offer {
  readonly exec: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One level of the overlapped sample. It admits runs up to its size until the first of
 * them settles — so a source that runs dry or slows down closes it with fewer — and is
 * complete when all it admitted have settled.
 */
interface Level {
  readonly size: number;
  started: number;
  settled: number;
  admitting: boolean;
  /** Most of its runs in flight at once. */
  peak: number;
  firstStart: number;
  lastEnd: number;
  firstCpu: number;
  lastCpu: number;
  readonly walls: number[];
}

function level(size: number): Level {
  return {
    size,
    started: 0,
    settled: 0,
    admitting: true,
    peak: 0,
    firstStart: 0,
    lastEnd: 0,
    firstCpu: 0,
    lastCpu: 0,
    walls: [],
  };
}

interface Timing {
  readonly wall: number;
  readonly cpu: number;
  /** ms the event loop sat waiting for I/O or timers. */
  readonly idle: number;
  /** ms until the call returned its promise: all of a synchronous task's work, alone. */
  readonly call: number;
}

export class Sampler {
  readonly #plan: SamplePlan;
  #phase: 'sequential' | 'concurrent' | 'done' = 'sequential';
  readonly #pending: Offer[] = [];
  #running = 0;
  readonly #sequential: Timing[] = [];
  /** The overlapped levels begun so far; the last is the one running. */
  readonly #levels: Level[] = [];
  /** The sequential sample running now, if any: the patience timer may turn it into an overlapped one. */
  #alone: { readonly wall0: number; readonly cpu0: number; escaped: boolean } | undefined;
  #patience: NodeJS.Timeout | undefined;
  #finished!: () => void;
  /** Resolves once the sample is complete; from then on every offer is declined. */
  readonly complete = new Promise<void>((resolve) => {
    this.#finished = resolve;
  });

  constructor(plan: SamplePlan = DEFAULT_PLAN) {
    this.#plan = plan;
  }

  /**
   * Runs it can use, running or waiting, now and at its next step — one alone and the
   * first level, or this level and the next — so that no step waits for an input, and one
   * more: a run waiting behind the samples is what lets the sampler's patience see that
   * they wait on each other (a task that waits for another must not hang because the
   * sample holds back the rest). No limit once complete.
   */
  get wanted(): number {
    const { overlapped } = this.#plan;
    if (this.#phase === 'done') return Number.POSITIVE_INFINITY;
    if (this.#phase === 'sequential') return 1 + (overlapped[0] ?? 0) + 1;
    const at = this.#levels.length - 1;
    return this.#levels[at]!.size + (overlapped[at + 1] ?? 0) + 1;
  }

  /** Runs offered and waiting to learn whether they become samples. */
  get waiting(): number {
    return this.#pending.length;
  }

  /**
   * Runs `exec` as a sample when the plan still needs one (possibly after earlier samples
   * finish), and resolves with its result; resolves with {@link NOT_SAMPLED} once the
   * sample is complete. A run still waiting here when `cancel` aborts is dropped.
   */
  offer<T>(exec: () => Promise<T>, cancel: Abortable): Promise<T | typeof NOT_SAMPLED> {
    if (this.#phase === 'done') return Promise.resolve(NOT_SAMPLED);
    if (isAborted(cancel)) return Promise.reject(abortError(cancel));
    return new Promise((resolve, reject) => {
      // Through onAbort, not the signal's own listeners: a map offers a whole window of runs
      // (a thousand) on one controller, and a signal adds and removes its listeners in time
      // linear in their number.
      const detach = onAbort(cancel, (error) => {
        const at = this.#pending.indexOf(offer);
        if (at === -1) return;
        this.#pending.splice(at, 1);
        reject(error);
      });
      const offer: Offer = {
        exec,
        resolve: (value) => {
          detach();
          resolve(value as T | typeof NOT_SAMPLED);
        },
        reject: (error) => {
          detach();
          reject(error);
        },
      };
      this.#pending.push(offer);
      this.#pump();
    });
  }

  /** The numbers so far; `undefined` before the first sample finished. */
  measurements(): Measurements | undefined {
    // The most overlapped level that has numbers: the closest to how the run will go.
    const o = this.#levels.findLast((l) => l.settled > 0) ?? level(0);
    const span = o.lastEnd - o.firstStart;
    const n = this.#sequential.length;
    // Busy time per task while overlapped: the CPU time of the span shared among the runs.
    const overlappedBusyMs = o.settled > 0 ? (o.lastCpu - o.firstCpu) / o.settled : 0;
    // The warmest half: the first runs pay for loading the module and a cold JIT.
    const warm = n > 1 ? this.#sequential.slice(Math.max(1, Math.floor(n / 2))) : [];
    const overlapped = () =>
      o.walls.map((wall) => ({ wall, cpu: overlappedBusyMs, idle: 0, call: wall }));
    // Failing runs alone (they outlasted the sampler's patience), the overlapped ones speak;
    // the cold first run only when nothing else finished.
    const timings = warm.length > 0 ? warm : o.settled > 0 ? overlapped() : this.#sequential;
    if (timings.length === 0) return undefined;
    const walls = timings.map((t) => t.wall);
    const totalWall = sum(walls);
    // Summed, not per run: a thread's own CPU counter may advance in scheduler ticks, and
    // consecutive runs' steps add up to the truth (see thread-cpu.ts).
    const cpu = sum(timings.map((t) => t.cpu));
    const cpuShare = totalWall > 0 ? Math.min(1, cpu / totalWall) : 1;
    // CPU ÷ (CPU + waiting): time the thread was descheduled by other processes is in
    // neither, so a loaded machine shifts the share neither way. A thread that never
    // waited was busy all along, even if its CPU counter has not ticked yet.
    const idle = sum(timings.map((t) => t.idle));
    const busyShare = warm.length === 0 ? cpuShare : idle > 0 ? Math.min(1, cpu / (cpu + idle)) : 1;
    return {
      sequentialSamples: this.#sequential.length,
      wallMs: median(walls),
      fastestWallMs: Math.min(...walls),
      // Only a run alone times its call; an overlapped one stands in with its wall time.
      fastestCallMs: Math.min(...(n > 0 ? this.#sequential : timings).map((t) => t.call)),
      cpuMs: cpu / timings.length,
      cpuShare,
      busyShare,
      sequentialPerSecond: totalWall > 0 ? (timings.length / totalWall) * 1000 : 0,
      concurrentSamples: sum(this.#levels.map((l) => l.settled)),
      concurrencyLevel: o.peak,
      concurrentPerSecond: o.settled > 0 && span > 0 ? (o.settled / span) * 1000 : 0,
      overlappedBusyMs,
    };
  }

  #pump(): void {
    this.#drain();
    // Kept referenced: when samples wait on the runs held back, this timer is all that is
    // left to move them on, and the process must not exit with them hanging.
    if (this.#pending.length > 0 && this.#running > 0 && !this.#patience) {
      this.#patience = setTimeout(() => this.#lostPatience(), SAMPLE_PATIENCE_MS);
    }
  }

  #lostPatience(): void {
    this.#patience = undefined;
    if (this.#phase === 'sequential' && this.#plan.overlapped.length > 0) {
      this.#overlap();
      if (this.#alone) {
        this.#alone.escaped = true;
        this.#admit(this.#levels[0]!, this.#alone.wall0, this.#alone.cpu0);
      }
    } else {
      this.#finish();
    }
    this.#pump();
  }

  #drain(): void {
    while (this.#pending.length > 0) {
      if (this.#phase === 'done') {
        for (const offer of this.#pending.splice(0)) offer.resolve(NOT_SAMPLED);
        return;
      }
      if (this.#phase === 'sequential') {
        if (this.#running === 0) this.#start(this.#pending.shift()!, 'sequential');
        return;
      }
      const current = this.#levels.at(-1)!;
      if (!current.admitting || current.started >= current.size) return;
      this.#start(this.#pending.shift()!, 'concurrent');
    }
  }

  #start(offer: Offer, phase: 'sequential' | 'concurrent'): void {
    this.#running++;
    // Read before the clock starts: on Linux the reading itself costs tens of µs, which a
    // tiny task's wall time must not include.
    const cpu0 = threadCpuMs();
    const wall0 = performance.now();
    const idle0 = performance.eventLoopUtilization().idle;
    const alone = phase === 'sequential' ? { wall0, cpu0, escaped: false } : undefined;
    const into = alone ? undefined : this.#levels.at(-1)!;
    if (into) this.#admit(into, wall0, cpu0);
    else this.#alone = alone;
    const settle = () => {
      const end = performance.now();
      this.#running--;
      clearTimeout(this.#patience);
      this.#patience = undefined;
      if (alone && !alone.escaped) {
        this.#alone = undefined;
        const idle = performance.eventLoopUtilization().idle - idle0;
        this.#sequential.push({ wall: end - wall0, cpu: threadCpuMs() - cpu0, idle, call });
        this.#afterSequential();
      } else {
        // An escaped run alone belongs to the first level, which its escape began.
        const o = into ?? this.#levels[0]!;
        o.walls.push(end - wall0);
        o.lastEnd = end;
        o.lastCpu = threadCpuMs();
        o.admitting = false;
        if (++o.settled === o.started && this.#phase === 'concurrent') this.#afterLevel(o);
      }
      this.#pump();
    };
    const running = offer.exec();
    const call = performance.now() - wall0;
    running.then(
      (value) => {
        settle();
        offer.resolve(value);
      },
      (error: unknown) => {
        settle();
        offer.reject(error);
      },
    );
  }

  #admit(into: Level, wall0: number, cpu0: number): void {
    if (into.started++ === 0) {
      into.firstStart = wall0;
      into.firstCpu = cpu0;
    }
    into.peak = Math.max(into.peak, this.#running);
  }

  #afterSequential(): void {
    const { min, max } = this.#plan.sequential;
    const n = this.#sequential.length;
    const m = this.measurements()!;
    const short = m.fastestWallMs < SHORT_TASK_MS;
    const kind = classify(m);
    // The first run is cold, which only adds CPU time: if it waited even so, the work waits.
    // Judged by CPU ÷ (CPU + waiting), which time lost to other processes does not lower.
    const first = this.#sequential[0]!;
    const plainlyWaiting =
      n === 1 && !short && first.idle > 0 && first.cpu / (first.cpu + first.idle) <= IO_BOUND_SHARE;
    if (!plainlyWaiting) {
      if (n < min || (short ? n < SHORT_TASK_SAMPLE : n < max && !this.#steady())) return;
    }
    // Overlapping on one thread cannot speed up CPU-bound work: do not spend inputs on showing it.
    if (this.#plan.overlapped.length > 0 && kind !== 'cpu-bound') this.#overlap();
    else this.#finish();
  }

  /** Begins the next level of the overlapped sample. */
  #overlap(): void {
    this.#phase = 'concurrent';
    this.#levels.push(level(this.#plan.overlapped[this.#levels.length]!));
  }

  /**
   * A level is complete: on to the next while overlapping scales — `k` tasks at once ran
   * nearly `k` times as fast as one alone, i.e. the level took not much longer than one
   * task alone — else the sample is complete. Also complete when the level could not fill
   * (the inputs ran out or came too slowly to have more at once), and for tiny tasks,
   * which finish before the next one starts, so that overlapping more shows nothing.
   */
  #afterLevel(done: Level): void {
    const more = this.#levels.length < this.#plan.overlapped.length && done.started >= done.size;
    const span = done.lastEnd - done.firstStart;
    const alone = this.#sequential.length > 0 ? median(this.#sequential.map((t) => t.wall)) : 0;
    const scaled = alone > 0 && span * OVERLAP_SCALING <= alone;
    if (more && scaled && classify(this.measurements()!) !== 'tiny') this.#overlap();
    else this.#finish();
  }

  #steady(): boolean {
    const walls = this.#sequential.slice(1).map((t) => t.wall);
    const mean = sum(walls) / walls.length;
    const sd = Math.sqrt(sum(walls.map((w) => (w - mean) ** 2)) / walls.length);
    return mean > 0 && sd / mean < STEADY_VARIATION;
  }

  #finish(): void {
    clearTimeout(this.#patience);
    this.#phase = 'done';
    this.#finished();
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

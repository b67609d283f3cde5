/**
 * The first window of an exploration (see `law.ts`) and the step it calls for: a jump as
 * far as the busy share of the threads running the tasks shows room for (see `climb.ts`) —
 * unless each task must have a worker thread to itself, or, on the calling thread, the
 * process keeps every CPU busy, when more in flight would only queue for them. Before it,
 * while no task has finished, the rise on a calling thread that sits idle
 * (`whileNoneFinished`).
 */
import { firstStepUp, stepFor, stepUp } from './climb.js';
import {
  type Because,
  binding,
  type LawContext,
  type Level,
  type Measured,
  workersBusy,
} from './moves.js';
import { holding, type Step } from './phases.js';
import {
  BUSY_TARGET,
  CPUS_FULL,
  MIN_STEP,
  NONE_FINISHED_BUSY,
  SATURATED,
  SHARED_WORKER_MIN_MS,
  WAITING_WORKERS_BUSY,
} from './settings.js';

/** What the law knows that decides whether tasks may share a worker thread. */
export interface Sharing {
  /** The tasks must run where a timeout can stop them. */
  readonly pinned: boolean;
  /** The work went to threads as tasks that compute in their call. */
  readonly oneTaskPerWorker: boolean;
  /** Worker threads the tasks run on. */
  readonly workers: number;
}

/**
 * Under a timeout, tasks share a worker only when each clearly waits — even the fastest
 * takes many message round trips (a mean would count tasks held up by a stuck worker), or
 * the workers sat idle most of the time while each held one (see {@link waitOnWorkers}):
 * a task that computes forever blocks the others on its worker, which would then time
 * out with it. Tasks that computed in their call on the calling thread start alone on a
 * worker, but that is checked (`checking`) — a held level is probed all the same, and a
 * trial whose workers idled while each held its task shares them: what the calling
 * thread saw may not be what the tasks do on the workers. So do workers that wait for
 * their next task (see {@link fedLate}).
 */
export function mayShareWorkers(
  m: Measured,
  { pinned, oneTaskPerWorker, workers }: Sharing,
  checking = false,
): boolean {
  if (m.route !== 'threads') return true;
  if (oneTaskPerWorker && !checking) return false;
  return !pinned || m.fastestMs >= SHARED_WORKER_MIN_MS || waitOnWorkers(m, workers);
}

/**
 * The `workers` sat idle most of `m` while each held a task: the tasks wait there,
 * however short the fastest was (a timer of 5 ms can fire a millisecond early). Not known
 * where their busy share is not (see {@link workersBusy}).
 */
function waitOnWorkers(m: Measured, workers: number): boolean {
  const busy = workersBusy(m, workers);
  return busy !== undefined && busy < WAITING_WORKERS_BUSY && binding(m, workers);
}

/**
 * How busy the `workers` were in `m`, where tasks that compute from call to finish left
 * them idle for more than a climb aims at though this thread, not saturated, kept them as
 * many as they were given: a worker that finishes its tasks while this thread is held by
 * the program's own work (a synchronous call, a burst of computing, a slow consumer of the
 * results) waits until it is free to send the next. More per worker keeps the next ones at
 * hand. `undefined` otherwise, and where the workers' busy share is not known.
 */
export function fedLate(m: Measured, workers: number): number | undefined {
  if (m.inFlight < m.level * workers) return undefined;
  return idleWorkers(m, workers, m.recentBusyShare);
}

/**
 * The `workers`' busy share in `m`, where it leaves room for more per worker: below the
 * busy share a climb aims at, beside a calling thread busy `callingBusy` of the time —
 * not the bottleneck, sending the tasks and taking their results. `undefined` otherwise,
 * and where the workers' busy share is not known.
 */
export function idleWorkers(m: Measured, workers: number, callingBusy: number): number | undefined {
  const busy = workersBusy(m, workers);
  if (busy === undefined || busy >= BUSY_TARGET || callingBusy >= SATURATED) return undefined;
  return busy;
}

/** What the calling thread shows before any task has finished. */
export interface NoneFinished {
  /** Tasks in flight on it. */
  readonly inFlight: number;
  /** ms since the first began. */
  readonly afterMs: number;
  /** Its busy share since then. */
  readonly busyShare: number;
}

/**
 * The step from `at` while no task has finished (see `NONE_FINISHED_MS`): twice as many in
 * flight, up to `most`, when the level binds and the thread sat idle much of the time — the
 * tasks wait, and more of them cost it little. `undefined`: stay.
 */
export function whileNoneFinished(at: Level, seen: NoneFinished, most: number): Step | undefined {
  if (at.route !== 'loop' || at.level >= most || seen.inFlight < at.level) return undefined;
  if (seen.busyShare >= NONE_FINISHED_BUSY) return undefined;
  return {
    to: { route: 'loop', level: Math.min(most, at.level * MIN_STEP) },
    phase: { kind: 'start' },
    because: { kind: 'none-finished', ...seen },
  };
}

/** The first windows of explorations, and what the last one on the calling thread showed. */
export class FirstWindow {
  /** The last first window of an exploration on the calling thread filled the CPUs. */
  #cpusFullBefore = false;

  /** The step after `m`, the first window of an exploration; `undefined`: measure the level again. */
  step(m: Measured, sharing: Sharing, context: LawContext): Step | undefined {
    if (m.route === 'threads') {
      const late = sharing.oneTaskPerWorker ? fedLate(m, sharing.workers) : undefined;
      if (!mayShareWorkers(m, sharing, late !== undefined)) {
        // The window the workers started in cannot show how busy the tasks keep them, which
        // may show that they wait where the fastest task does not: measured again (the next
        // window opens once they run, so this happens once).
        if (sharing.pinned && m.workersStarted) return undefined;
        const because: Because = sharing.pinned ? { kind: 'timeout-alone' } : { kind: 'alone' };
        return { to: m, phase: holding(m), because };
      }
      if (late !== undefined) {
        const because: Because = { kind: 'fed-late', workersBusy: late };
        return stepUp(m, stepFor(late), context.maxPerWorker, because);
      }
      return firstStepUp(m, context.maxPerWorker, context.workers);
    }
    if (fillsCpus(m, context.cpus)) {
      // Work on libuv's pool that keeps every CPU busy: more in flight would only queue for
      // them, however little of this thread's time it takes. Once may be a burst of the
      // garbage collector or the compiler, so the level is measured again first.
      if (!this.#cpusFullBefore) {
        this.#cpusFullBefore = true;
        return undefined;
      }
      this.#cpusFullBefore = false;
      const because: Because = {
        kind: 'cpus-full',
        busyShare: m.busyShare,
        othersBusy: m.othersBusy,
      };
      return { to: m, phase: holding(m), because };
    }
    this.#cpusFullBefore = false;
    return firstStepUp(m, context.maxLoop, context.workers);
  }
}

/** This process kept (nearly) all of the `cpus` it may use busy in `m`. */
function fillsCpus(m: Measured, cpus: number): boolean {
  return m.busyShare + m.othersBusy >= CPUS_FULL * cpus;
}

/**
 * The sentences `auto` explains itself with: one per move of the control law, addressed
 * to the user, with the numbers that made it.
 */
import { type GainBound, gainBound, offeredInputs } from './handover.js';
import {
  type LawContext,
  type Level,
  littleMs,
  type Measured,
  type Move,
  workersBusy,
} from './moves.js';
import { contentionBesidesOwn } from './own-start.js';
import {
  BUSY_TARGET,
  CONTENDED,
  SHARED_WORKER_MIN_MS,
  THREADS_GAIN_TO_MOVE,
  THREADS_GAIN_TO_STAY,
} from './settings.js';
import type { TooLittleLeft } from './work-left.js';

/**
 * The sentence for `move`; `holds`: the law keeps the level it moved to (it measured it and
 * judged it the one to keep), rather than trying it.
 */
export function explain(move: Move, workers: number, holds = false): string {
  const { because: b, to, measured: m } = move;
  const where = describe(to, workers);
  const here = m ? describe(m, workers) : where;
  const stayed = m !== undefined && m.route === to.route && m.level === to.level;
  const next = stayed ? `staying at ${where}` : holds ? `settling at ${where}` : `trying ${where}`;
  switch (b.kind) {
    case 'start':
      return `Starting with ${where}, until measurements say otherwise.`;
    case 'none-finished':
      return `None of the ${count(b.inFlight)} tasks in flight had finished after ${ms(b.afterMs)}, and this thread was busy ${percent(b.busyShare)} of the time, so they wait, and more cost it little: ${next}.`;
    case 'room': {
      const busy = b.workers
        ? `The worker threads were busy ${percent(b.busyShare)} of the time with ${here}`
        : `This thread was busy ${percent(b.busyShare)} of the time lately with ${here}`;
      // At or above the busy share a climb aims at, no room was measured: the step (the
      // smallest) is a try.
      return b.busyShare < BUSY_TARGET
        ? `${busy}, so ${b.workers ? 'they' : 'it'} can keep more in flight: ${next}.`
        : `${busy}: ${next} to see whether more in flight pays.`;
    }
    case 'climb':
      return `${cap(here)} finished ${rate(m)}, ${times(b.gain)} as many as ${describe(b.from, workers)}: ${next}.`;
    case 'knee':
      return `${cap(here)} finished ${hardlyMore(b.gain)} ${describe(b.from, workers)} (${rate(m)} against ${rate(b.from)}) while each task took ${times(b.latencyRatio)} as long, so the tasks queue for something that serves only so many at once: ${next}.`;
    case 'recheck':
      return `${cap(here)} finished ${hardlyMore(b.gain)} ${describe(b.from, workers)} (${rate(m)} against ${rate(b.from)}), but only the quickest tasks had finished there (those it held took ${times(littleMs(b.from) / b.from.latencyMs)} as long as those it saw finish): measuring ${where} again.`;
    case 'rechecked': {
      const again = `Measured again, ${here} finished ${rate(m)}`;
      const step = describe(b.stepUp, workers);
      if (b.paid)
        return `${again}, not the ${rate(b.first)} it first showed while only its quickest tasks had finished, so ${step} finished ${times(b.gain)} as many (${rate(b.stepUp)}): ${next}.`;
      return `${again}; ${step} finished ${hardlyMore(b.gain)} it (${rate(b.stepUp)}) while each task took ${times(b.latencyRatio)} as long, so the tasks queue for something that serves only so many at once: ${next}.`;
    }
    case 'cpus-full':
      return `This thread was busy ${percent(b.busyShare)} of the time with ${here}, and ${elsewhere('the tasks')} kept ${cpus(b.othersBusy)} busy besides, so the machine's CPUs are all in use and more in flight would only queue for them: ${next}.`;
    case 'most':
      return `${cap(here)} is the most auto keeps in flight: staying there.`;
    case 'fewer-as-good':
      if (m && b.best.route === m.route && b.best.level === m.level)
        return `${cap(here)} finished ${rate(m)}, the most so far: ${next} to see whether fewer finish as many.`;
      return `${cap(here)} finished as many as ${describe(b.best, workers)} (${rate(m)} against ${rate(b.best)}): ${next}.`;
    case 'fewer-worse':
      return `${cap(here)} finished ${percent(1 - ratio(m, b.best))} fewer than ${describe(b.best, workers)} (${rate(m)} against ${rate(b.best)}): settling at ${where}.`;
    case 'saturated':
      return `This thread was busy ${percent(m?.busyShare)} of the time at ${held(m)} per task, so it is the bottleneck: ${workers} worker threads should finish about ${times(b.predictedGain)} as many, with ${where}.`;
    case 'saturating':
      return `${cap(here)} finished ${rate(m)}, more in proportion to its tasks in flight, with this thread busy ${percent(m?.busyShare)} of the time at ${held(m)} per task: at about ${describe(b.at, workers)} it would be the bottleneck, finishing about ${rate(b.at)}, and ${workers} worker threads should finish about ${times(b.predictedGain)} as many, with ${where}.`;
    case 'saturated-stay':
      return `This thread is busy ${percent(m?.busyShare)} of the time, so it is the bottleneck, but ${b.why}: ${next}.`;
    case 'thin':
      return `This thread is busy ${percent(b.busyShare)} of the time, so it is the bottleneck, but ${b.why}; fewer in flight may cost less each (less memory held, less garbage to collect): ${next}.`;
    case 'fewer-better':
      return `${cap(here)} finished ${times(b.gain)} as many as ${describe(b.from, workers)} (${rate(m)} against ${rate(b.from)}), so more in flight cost more each: ${next}.`;
    case 'thin-failed':
      return `${cap(here)} finished ${hardlyMore(b.gain)} ${describe(b.from, workers)} (${rate(m)} against ${rate(b.from)}), and this thread is the bottleneck, but ${b.why}: back to ${where}.`;
    case 'fill':
      return `This thread is busy ${percent(b.busyShare)} of the time, so it is the bottleneck, but ${b.why}; more in flight may fill the rest of its time: ${next}.`;
    case 'threads-faster':
      return `${workers} worker threads finished ${times(b.gain)} as many tasks as this thread alone (${rate(m)} against ${rate(b.loop)}): ${next}.`;
    case 'threads-slower':
      return `${workers} worker threads finished only ${times(b.gain)} as many tasks as this thread alone (${rate(m)} against ${rate(b.loop)}): back to ${where}.`;
    case 'loop-slower':
      return `${cap(here)} finished ${rate(m)}, and ${describe(b.threads, workers)} had just finished ${times(b.gain)} as many (${rate(b.threads)}), so the tasks take longer now than when the threads were judged: ${next}, on trial against this thread as it is now.`;
    case 'workers-idle':
      return `${workers} worker threads finished only ${times(b.gain)} as many tasks as this thread alone (${rate(m)} against ${rate(b.loop)}), but they were busy only ${percent(b.workersBusy)} of the time, so the tasks wait there too: ${next}.`;
    case 'changed': {
      const busy = (of: Measured | undefined) => percent(of && workersBusy(of, workers));
      const idled =
        b.reference.route === 'threads'
          ? ` and the workers from busy ${busy(b.reference)} of the time to ${busy(m)}`
          : '';
      return `At ${describe(b.reference, workers)} the throughput moved from ${rate(b.reference)} to ${rate(m)}${idled}, so the work changed: exploring again, ${next}.`;
    }
    case 'slowed':
      return `${cap(here)} finished ${percent(1 - ratio(m, b.floor))} fewer than ${describe(b.floor, workers)} (${rate(m)} against ${rate(b.floor)}), yet each task took ${times(latencyRatio(m, b.floor))} as long, so they did not queue there: the tasks got slower whatever the number in flight, so the work changed: exploring again, ${next}.`;
    case 'mostly-waiting':
      return `${cap(here)} still finished more, so the tasks mostly wait, which this thread's event loop does more cheaply: ${next}.`;
    case 'probe':
      return `${cap(here)} finished ${rate(m)}: ${next} to see whether more in flight pays now.`;
    case 'probe-failed':
      return `${cap(here)} finished ${hardlyMore(b.gain)} ${describe(b.from, workers)} (${rate(m)} against ${rate(b.from)}): back to ${where}.`;
    case 'pinned':
      return `A timeout is set, and only a task on a worker thread can be stopped when it overruns it, so the tasks run on ${workers} worker threads, starting with ${where}.`;
    case 'timeout-alone':
      return `${cap(here)} finished ${rate(m)}; under a timeout a worker runs one task at a time unless every task waits ${SHARED_WORKER_MIN_MS} ms or more, since one that never stops would hold up the others: ${next}.`;
    case 'alone':
      return `${cap(here)} finished ${rate(m)}; each task computes from the moment it is called, so one per worker keeps a worker busy: ${next}.`;
    case 'fed-late':
      return `${cap(here)} finished ${rate(m)}; each task computes from the moment it is called, yet the worker threads were busy only ${percent(b.workersBusy)} of the time: they wait for their next task while this thread is held by other work, so more per worker keeps it at hand: ${next}.`;
    case 'threads-failed':
      return `Worker threads could not run this task (${b.why}), so it runs on this thread: ${next}.`;
    case 'crashed':
      return `A task crashed its worker thread (${b.why}); on this thread a crash would end the whole program, so the tasks stay on ${workers} worker threads: ${stayed ? `at ${where}` : `starting with ${where}`}.`;
  }
}

/** "64 at a time on this thread" or "3 per worker on 2 threads". */
export function describe(level: Level, workers: number): string {
  return level.route === 'loop'
    ? `${count(level.level)} at a time on this thread`
    : `${count(level.level)} per worker on ${workers} ${workers === 1 ? 'thread' : 'threads'}`;
}

/** How a throughput `gain` times another's compares, when it is too small to pay: "fewer than", "about as many as", "only 1.1× as many as". */
function hardlyMore(gain: number): string {
  if (gain < 0.95) return 'fewer than';
  if (gain <= 1.05) return 'about as many as';
  return `only ${times(gain)} as many as`;
}

function ratio(m: Measured | undefined, of: Measured): number {
  return (m?.throughput ?? 0) / Math.max(of.throughput, 1e-9);
}

/** How many times as long a task of `m` took as one of `of`. */
function latencyRatio(m: Measured | undefined, of: Measured): number {
  return (m?.latencyMs ?? 0) / Math.max(of.latencyMs, 1e-9);
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Why worker threads would not pay for their start, for a reason's sentence (see `work-left.ts`). */
export function whyTooLittleLeft(left: TooLittleLeft, predictedGain: number): string {
  if (left.remaining === 0)
    return `worker threads would finish ${times(predictedGain)} as many, yet every task has begun here, and those under way end here either way`;
  return `worker threads would finish ${times(predictedGain)} as many once started, and the ${count(left.remaining)} tasks not yet begun would all be under way here within about ${ms(left.hereMs)}, too soon to pay for starting them (about ${ms(left.startMs)})`;
}

/**
 * Why worker threads would not help, for a reason's sentence, after `m`, a saturated
 * window in a saturated `run` of them: the caller offers too few inputs at once, the CPUs
 * are busy — with other programs, or with this process's other threads when they explain
 * this thread's waits — or what bounds the workers' gain most (see `gainBound`), with the
 * figures behind it; and, where they would still gain, that it is short of what a move must
 * promise.
 */
export function whyThreadsWouldNotHelp(
  predictedGain: number,
  run: { readonly othersPerTaskMs: number; readonly contention: number },
  m: Measured,
  context: LawContext,
): string {
  const gain = `worker threads would finish only ${times(predictedGain)} as many`;
  if (offeredInputs(m, context) < 2)
    return `${gain}: the tasks come one at a time (each is submitted once the one before has finished), which one worker runs no faster than this thread`;
  const { contention } = run;
  const waited = `this thread waited for one ${percent(contention)} of the time it could have run`;
  if (contention >= CONTENDED && contentionBesidesOwn(m, context.cpus) < CONTENDED)
    return `${gain}: ${elsewhere('the tasks')} keep this machine's CPUs busy, and would compete with the workers (${waited})`;
  if (contention >= CONTENDED)
    return `${gain}: other work keeps this machine's CPUs busy (${waited})`;
  const short =
    predictedGain >= THREADS_GAIN_TO_STAY
      ? ` (a move must promise ${THREADS_GAIN_TO_MOVE}× to pay for starting them)`
      : '';
  const bound = gainBound(m, context, run.othersPerTaskMs);
  // The bound alone would pay for a move: what took the gain below it is the CPUs' contention.
  if (contention > 0 && bound.gain >= THREADS_GAIN_TO_MOVE)
    return `${gain}${short}, since ${waited}: the CPUs have that much less to spare for them`;
  return `${gain}${short}, since ${boundedBy(bound, m, context)}`;
}

/** Where else a task's CPU goes, in words: what `othersBusy` counts (see `measures.ts`). */
function elsewhere(whom: 'the tasks' | 'it'): string {
  return `this process's other threads and the programs it runs (libuv's pool, the garbage collector, child processes working for ${whom})`;
}

/** What bounds the workers' gain most, in words. */
function boundedBy(bound: GainBound, m: Measured, context: LawContext): string {
  const own = held(m);
  switch (bound.by) {
    case 'sending':
      return `sending each task to one costs this thread ${ms(bound.dispatchMs)}, about as much as running it here (${own})`;
    case 'holding':
      return `they would hold at most ${count(context.maxPerWorker)} per worker, fewer than the tasks' waits need to keep them busy`;
    case 'offered':
      return `the caller offers only ${count(offeredInputs(m, context))} tasks at a time`;
    case 'computing':
      return bound.othersMs > bound.dispatchMs
        ? `besides its ${own}, each task keeps ${elsewhere('it')} busy for ${ms(bound.othersMs)}, which the workers would need as well`
        : `besides its ${own}, each task costs this thread ${ms(bound.dispatchMs)} to send`;
  }
}

/**
 * How many times its CPU a task must hold the calling thread for its time blocked in its
 * call to be named: below, the rest is gaps between tasks and counters that move in ticks.
 */
const BLOCKED = 2;

/** What a task of `m` holds the calling thread for: its CPU, and its time blocked in its call where that is most of it. */
function held(m: Measured | undefined): string {
  const cpu = `${ms(m?.cpuPerTaskMs)} of CPU`;
  if (!m || m.heldPerTaskMs <= BLOCKED * m.cpuPerTaskMs) return cpu;
  return `${ms(m.heldPerTaskMs)} (${cpu}, the rest blocked in its call)`;
}

/**
 * `n`, rounded, with its thousands grouped by commas (1,024). Not `toLocaleString`: its
 * first call loads the locale's data, 20 ms of the calling thread's time in the middle of
 * a job, at `auto`'s first move.
 */
function count(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function rate(m: Measured | undefined): string {
  return `${count(m?.throughput ?? 0)} tasks/s`;
}

function times(x: number): string {
  return `${x.toFixed(x < 10 ? 1 : 0)}×`;
}

function cpus(n: number): string {
  const shown = n.toFixed(1);
  return `${shown} ${shown === '1.0' ? 'CPU' : 'CPUs'}`;
}

function percent(share: number | undefined): string {
  return `${Math.round((share ?? 0) * 100)}%`;
}

function ms(value: number | undefined): string {
  const v = value ?? 0;
  if (v < 1) return `${Math.round(v * 1000)} µs`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}

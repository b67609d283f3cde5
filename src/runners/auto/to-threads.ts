/**
 * When the calling thread's work moves to worker threads (see `law.ts`): on the evidence of
 * a saturated calling thread, or ahead of it when a step up projects it; the threads' trial
 * after the move, and the calling thread's first window back after a trial they lost. In
 * between, the signs that a move is near, on which the workers start loading (`likely`),
 * or that it will not come, on which they stop (`ruledOut`).
 *
 * It answers in steps; the law applies them, and finds the level on a calling thread that
 * stays the bottleneck.
 */
import type { Allowed } from './allowed.js';
import type { Sharing } from './first-window.js';
import { chunksOnThread, Handover } from './handover.js';
import type { Because, LawContext, Level, Measured, Move } from './moves.js';
import { threadsOutlook } from './outlook.js';
import type { Step, Verifying } from './phases.js';
import { handoverAhead, projectHandover } from './projection.js';
import type { Saturation } from './saturation.js';
import { SATURATED_FOR_MS } from './settings.js';
import { judgeThreads, mayShareOnTrial, retrial, type Verdict } from './trial.js';
import type { Watch } from './watch.js';

/**
 * What a saturated window on the calling thread calls for: a `move` to worker threads, or
 * staying on the calling thread — why threads would not help (`whyNot`, in a reason's
 * words) and how long a task takes there without queueing (`latencyMs`).
 */
export type OnSaturated =
  | { readonly move: Step }
  | { readonly whyNot: () => string; readonly latencyMs: number; readonly move?: undefined };

export class ToThreads {
  readonly handover = new Handover();
  readonly #context: LawContext;
  readonly #allowed: Allowed;
  readonly #watch: Watch;
  #likely = false;
  /**
   * The last window on the calling thread was saturated, and threads predicted to gain too
   * little to keep the work, or the work left too little to pay for their start.
   */
  #ruledOut = false;
  /** A call on the calling thread computed for long since its last unsaturated window. */
  #longCall = false;
  /** The threads' window in a trial they lost, until the calling thread's first window back is judged against it. */
  #lostTrial: Measured | undefined;

  constructor(context: LawContext, allowed: Allowed, watch: Watch) {
    this.#context = context;
    this.#allowed = allowed;
    this.#watch = watch;
  }

  get saturation(): Saturation {
    return this.handover.saturation;
  }

  /**
   * The last window on the calling thread was saturated, or stepped up towards saturating
   * it, and predicted a clear gain from threads (see {@link likely}, which also counts a
   * long call).
   */
  get foreseen(): boolean {
    return this.#likely;
  }

  /**
   * At `at`, the last window on the calling thread was saturated, or stepped up towards
   * saturating it, and predicted a clear gain from threads — or a call there computed for
   * long: the move may follow after the next one, so the workers can start loading now.
   */
  likely(at: Level): boolean {
    if (this.#likely) return true;
    return this.#longCall && at.route === 'loop' && this.#allowed.mayMoveToThreads;
  }

  /**
   * At `at`, the calling thread's last window was saturated, yet worker threads were
   * predicted to gain less than they must to keep the work (libuv's pool, say, takes the
   * CPUs they would need), or the work left would be done before they paid for their
   * start: workers begun on an earlier sign (a first window that paid for compiling) are
   * not needed.
   */
  ruledOut(at: Level): boolean {
    return this.#ruledOut && at.route === 'loop';
  }

  /**
   * A task on the calling thread spent `ms` in its synchronous call. One that computed
   * for {@link SATURATED_FOR_MS} or more makes threads likely at once: such tasks may be
   * few, and their first window would close only after several of them.
   */
  called(ms: number): void {
    if (ms >= SATURATED_FOR_MS) this.#longCall = true;
  }

  /**
   * A window closed on the calling thread: the signs are read afresh from it. Returns the
   * threads' window of a trial they lost just before, if any (see {@link retrial}).
   */
  onLoop(): Measured | undefined {
    this.#likely = false;
    this.#ruledOut = false;
    const lostTrial = this.#lostTrial;
    this.#lostTrial = undefined;
    return lostTrial;
  }

  /** `m`, a window on the calling thread, was not saturated. */
  unsaturated(m: Measured): void {
    this.#longCall = false;
    this.saturation.end(m);
  }

  /**
   * After `m`, an unsaturated window on the calling thread (not an exploration's first),
   * `move` steps up there, and the thread would saturate within its most in flight with
   * worker threads predicted to win there: the next window may show the move (see
   * {@link saturating}), so the workers can start loading now. Not after an exploration's
   * first window, whose CPU per task may be the task's module loading and its first calls
   * compiling (timers measured 0.3–0.5 ms a task where they take 30 µs): that would start
   * workers for work that merely started.
   */
  steppedUp(m: Measured, move: Move | undefined): void {
    const up = move?.to.route === 'loop' && move.to.level > m.level;
    if (!up || !this.#allowed.mayMoveToThreads || !this.saturation.mayProject) return;
    this.#likely = handoverAhead(m, this.#context) !== undefined;
  }

  /** `m`, a window on the calling thread, was saturated by its tasks: it is the bottleneck. */
  saturated(m: Measured): OnSaturated | undefined {
    const { workers, chunkable } = this.#context;
    // Tiny tasks are judged as they run once started in chunks: one at a time, each also
    // pays for its own promise and bookkeeping, which threads would not save.
    if (chunksOnThread(m) && m.inputsPerRun <= 1 && chunkable()) return undefined;
    const saturation = this.saturation;
    saturation.add(m);
    const run = saturation.fastestOf(m);
    const latencyMs = saturation.ownLatencyMs(run);
    const outlook = threadsOutlook(m, this.#context, saturation, this.#allowed.threadsUnavailable);
    this.#ruledOut = outlook.ruledOut;
    // A window that could not tell the process's other threads from the workers starting on
    // an earlier sign keeps them starting while they might pay (see `ThreadsOutlook.mayPay`).
    this.#likely = outlook.mayPay;
    if (outlook.pays) {
      if (!saturation.convincing) return undefined;
      const because: Because = { kind: 'saturated', predictedGain: outlook.predictedGain, workers };
      return { move: this.#move(run, saturation.best ?? m, latencyMs, because) };
    }
    if (m.othersUnknown) return undefined;
    return { whyNot: outlook.whyNot, latencyMs };
  }

  /**
   * After a step up on the calling thread that queued nothing, from `previous` to `m`: when
   * the thread would be saturated within its most in flight, and worker threads are
   * predicted to finish clearly more than it would then, the work moves now. Reaching
   * saturation and measuring it would take another turnover or two, each as long as the
   * slowest wait (replies of 200 ms take 200 ms to turn over); the threads' trial judges
   * them against the projection.
   */
  saturating(previous: Measured, m: Measured): Step | undefined {
    if (!this.#allowed.mayMoveToThreads || !this.saturation.mayProject) return undefined;
    const projected = projectHandover(previous, m, this.#context);
    if (!projected) return undefined;
    const because: Because = { kind: 'saturating', workers: this.#context.workers, ...projected };
    return this.#move(m, projected.at, m.latencyMs, because);
  }

  /**
   * The threads' window `m` in their `trial`: the verdict (see {@link judgeThreads}), or
   * `undefined` while the trial goes on. `sharing`: whether tasks may share a worker.
   */
  judge(trial: Verifying, m: Measured, sharing: Sharing): Verdict | undefined {
    const verdict = judgeThreads(trial, m, this.handover.baseline, {
      ...this.#context,
      mayLeave: this.#allowed.mayLeaveThreads,
      mayShare: mayShareOnTrial(m, sharing),
    });
    if (!verdict) return undefined;
    if (verdict.more) this.handover.tasksWait();
    else if (verdict.back) {
      this.saturation.handoverFailed();
      this.#lostTrial = verdict.threads;
    } else this.saturation.handoverPaid();
    return verdict;
  }

  /**
   * The calling thread's first window back after a trial the threads lost with `threads`:
   * `m`, saturated, may send the work back to them (see {@link retrial}).
   */
  retrial(threads: Measured, m: Measured): Step | undefined {
    const step = this.#allowed.mayMoveToThreads ? retrial(threads, m) : undefined;
    if (!step) return undefined;
    this.#watch.loopHandedOver();
    this.handover.baseline = m;
    return step;
  }

  /** The work moves to worker threads (see {@link Handover.begin}). */
  #move(run: Measured, baseline: Measured, latencyMs: number, because: Because): Step {
    this.#watch.loopHandedOver();
    const level = this.handover.begin(run, baseline, latencyMs, this.#context.maxPerWorker);
    return { to: { route: 'threads', level }, phase: { kind: 'verifying', windows: 0 }, because };
  }
}

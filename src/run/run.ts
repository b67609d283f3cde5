/**
 * `switchyard run`'s engine: streams a JSONL input through an executor's `mapSettled` and
 * appends one result line per input to the output, exactly once across crashes and
 * re-runs. Composition only — lines, resume, output, signals and progress each live in
 * their own module.
 */

import type { ExecutorOptions } from '../core/options.js';
import type { Task } from '../core/task.js';
import type { Decision, Executor, Mode } from '../core/types.js';
import { toWire } from '../core/wire.js';
import { createExecutor } from '../executor/create.js';
import { ResultNotJsonError, RunFileError } from './errors.js';
import { countInputs, type InputRecord, openInput, readInputs, STDIN } from './input.js';
import { OutputWriter } from './output.js';
import { Pacer } from './pacer.js';
import type { ProgressReporter } from './progress.js';
import { scanOutput } from './resume.js';
import { onStopSignals, type StopSignal } from './signals.js';

/** What to do when a task fails or an input line is not JSON. */
/** ms of results handled before the event loop is let turn (see the loop over results). */
const TURN_EVERY_MS = 50;

export type OnError = 'continue' | 'stop';

export interface RunOptions {
  readonly task: Task<unknown, unknown>;
  /** A JSONL file, or `-` for stdin. */
  readonly input: string;
  /** The JSONL file results are appended to; an existing one is resumed. */
  readonly output: string;
  readonly executor: ExecutorOptions;
  /**
   * `continue`: a failure is written as a result line and the run goes on. `stop`: the run
   * stops reading, lets running tasks finish, and ends without writing the failure, so a
   * re-run (after a fix) tries that input again.
   */
  readonly onError: OnError;
  readonly progress?: ProgressReporter | undefined;
  /**
   * Told at the first SIGINT/SIGTERM, with the number of tasks still running: they finish
   * and are written; a second signal cancels them.
   */
  readonly onDrain?: ((signal: StopSignal, running: number) => void) | undefined;
}

export interface RunSummary {
  readonly input: string;
  readonly output: string;
  readonly mode: Mode;
  /** `auto` only: what it chose and why. */
  readonly decision: Decision | undefined;
  /** Inputs read (non-blank lines). */
  readonly read: number;
  /** Inputs skipped because the output already held their result. */
  readonly resumed: number;
  /** Results written by this run. */
  readonly ok: number;
  readonly failed: number;
  /** Bytes of a half-written last output line that were cut off before resuming. */
  readonly droppedBytes: number;
  readonly wallMs: number;
  /** Results written by this run per second. */
  readonly perSecond: number;
  /** Every input has a result in the output. */
  readonly complete: boolean;
  /** Why the run ended early, if it did. */
  readonly stoppedBy: StopSignal | 'error' | undefined;
  /** Running tasks were cancelled (a second signal). */
  readonly cancelled: boolean;
  /** The failure that stopped the run (`--on-error stop`). */
  readonly error: string | undefined;
}

export async function runJsonl(options: RunOptions): Promise<RunSummary> {
  const { task, input, output, onError, progress } = options;
  const startedAt = performance.now();
  const { done, droppedBytes } = await scanOutput(output);
  const source = await openInput(input);
  let total: number | undefined;
  if (input !== STDIN)
    countInputs(input).then(
      (n) => (total = n),
      () => {},
    );

  let writer: OutputWriter;
  try {
    writer = await OutputWriter.open(output);
  } catch (error) {
    source.destroy();
    throw new RunFileError('--output', output, error);
  }
  const ex = createExecutor(options.executor);
  const cancel = new AbortController();
  let stoppedBy: StopSignal | 'error' | undefined;
  let failure: string | undefined;
  let read = 0;
  let resumed = 0;
  let ok = 0;
  let failed = 0;
  let exhausted = false;

  const pacer = new Pacer(() => ex.stats().concurrency);
  const stopReading = (why: StopSignal | 'error') => {
    stoppedBy ??= why;
    source.destroy();
    pacer.release();
  };
  const removeSignals = onStopSignals({
    drain: (signal) => {
      stopReading(signal);
      options.onDrain?.(signal, pacer.inFlight);
    },
    cancel: () => cancel.abort(),
  });
  const report = () =>
    progress?.update({
      done: done.size + ok + failed,
      failed,
      total,
      ranNow: ok + failed,
      mode: describeMode(ex),
    });

  // mapSettled numbers what it is given 0, 1, 2…; this maps those back to input records.
  const running = new Map<number, InputRecord>();
  const record = async (line: string, failedNow: boolean) => {
    await writer.write(line);
    if (failedNow) failed++;
    else ok++;
    report();
  };
  const fail = async (entry: InputRecord, error: Error) => {
    if (onError === 'continue') return record(failureLine(entry.index, error), true);
    failure ??= `input line ${entry.line} (index ${entry.index}) failed: ${error.message}`;
    stopReading('error');
  };

  async function* toRun(): AsyncGenerator<unknown> {
    let sent = 0;
    try {
      for await (const entry of readInputs(source)) {
        // Lines of a chunk read before the stop are still buffered; none of them may start.
        if (stoppedBy) return;
        read++;
        if (done.has(entry.index)) {
          resumed++;
          continue;
        }
        if (!entry.ok) {
          await fail(entry, entry.error);
          continue;
        }
        // Read no further ahead than the executor can use, so that a stop is quick.
        const room = pacer.room();
        if (room) await room;
        if (stoppedBy) return;
        running.set(sent++, entry);
        pacer.sent();
        yield entry.value;
      }
      // A destroyed source may also just end: only a read to the end is exhaustion.
      exhausted = stoppedBy === undefined;
    } catch (error) {
      // Destroying the source is how a signal or a failure stops a pending read.
      if (!stoppedBy) throw error;
    }
  }

  let turnedAt = performance.now();
  try {
    for await (const settled of ex.mapSettled(task, toRun(), { signal: cancel.signal })) {
      // Tasks that compute without awaiting (under `sync` or `loop`) settle in one chain of
      // promise reactions that never lets the event loop turn: the timed write of results,
      // the progress line and Ctrl-C would all wait for the end of the run.
      if (performance.now() - turnedAt >= TURN_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        turnedAt = performance.now();
      }
      const entry = running.get(settled.index)!;
      running.delete(settled.index);
      pacer.settled();
      if (!settled.ok) {
        await fail(entry, settled.error);
        continue;
      }
      const line = successLine(entry.index, settled.value);
      await (line instanceof Error ? fail(entry, line) : record(line, false));
    }
  } catch (error) {
    if (!cancel.signal.aborted) throw error;
  } finally {
    removeSignals();
    progress?.stop();
    await ex.close({ cancel: cancel.signal.aborted });
    await writer.close();
    source.destroy();
  }
  const wallMs = performance.now() - startedAt;
  return {
    input,
    output,
    mode: ex.mode,
    decision: ex.decision,
    read,
    resumed,
    ok,
    failed,
    droppedBytes,
    wallMs,
    perSecond: ((ok + failed) / wallMs) * 1000,
    complete: exhausted && failure === undefined && !cancel.signal.aborted,
    stoppedBy,
    cancelled: cancel.signal.aborted,
    error: failure,
  };
}

/** The result line of a success, or an Error when the value has no JSON form. */
function successLine(index: number, value: unknown): string | Error {
  let json: string | undefined;
  try {
    // `undefined` has no JSON form; a task that returns nothing is recorded as null.
    json = JSON.stringify(value ?? null);
  } catch (error) {
    return new ResultNotJsonError(error);
  }
  // A function, a symbol, or a `toJSON()` that returns nothing: JSON has no text for it,
  // and a line without one would not parse when the run resumes.
  if (json === undefined)
    return new ResultNotJsonError(new TypeError(`${describe(value)} has no JSON form`));
  return `{"index":${index},"ok":true,"value":${json}}`;
}

/** What a value with no JSON form is, for the error that says so. */
function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return 'a value whose toJSON() returns nothing';
}

function failureLine(index: number, error: Error): string {
  const { name, message } = toWire(error);
  return JSON.stringify({ index, ok: false, error: { name, message } });
}

function describeMode(ex: Executor): string {
  if (ex.mode !== 'auto') return ex.mode;
  return ex.decision ? `auto → ${ex.decision.mode}` : 'auto (profiling)';
}

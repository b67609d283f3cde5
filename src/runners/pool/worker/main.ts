/**
 * The program every pool worker runs, thread or process alike: it loads tasks through the
 * one module loader, runs jobs (up to `tasksPerWorker` at once, the rest in arrival order),
 * gives each task a real `ctx`, and answers every job exactly once. Kept light on purpose:
 * nothing heavy is imported until a task needs it (tsx only for a `.ts` task module).
 */

import type { TaskContext, TaskFunction } from '../../../core/task.js';
import { findUnsendable } from '../../../core/unsendable.js';
import { fromWire, toWire, type WireError } from '../../../core/wire.js';
import { Fifo, type FifoNode } from '../../../primitives/fifo.js';
import { isThenable } from '../../../primitives/thenable.js';
import { loadTask } from '../../../task/loader.js';
import { packDones, unpackRuns } from '../pack.js';
import type {
  DoneMessage,
  Failure,
  FromWorker,
  ProgressMessage,
  RunMessage,
  ToWorkerWire,
} from '../protocol.js';
import { openPort, type WorkerPort } from './port.js';

interface Job {
  readonly message: RunMessage;
  controller: AbortController | undefined;
  reason: WireError | undefined;
  /** Its place while it waits for a free slot. */
  place: FifoNode<Job> | undefined;
}

/** ms an answer may wait in the outbox for the short jobs behind it. */
const BATCH_MS = 1;

// Not a top-level await: while a module awaits at its top, V8 is evaluating it asynchronously,
// and a worker terminated in that state can abort the whole process (nodejs/node#43182).
// Every use of `port` below runs from a message, after it is set. A port that cannot open
// rejects, and the unhandled rejection ends the worker with its error, as a throw would.
let port: WorkerPort;
openPort().then((opened) => {
  port = opened;
  port.onMessage(receive);
});
const tasks = new Map<number, Promise<TaskFunction<unknown, unknown>>>();
/** Tasks whose module has loaded: their jobs start at once, not a microtask later. */
const loaded = new Map<number, TaskFunction<unknown, unknown>>();
const jobs = new Map<number, Job>();
const waiting = new Fifo<Job>();
let running = 0;
let draining = false;
/** ms per input each task took on average here: whether its next job is short enough to batch behind. */
const inputMs = new Map<number, number>();
/** When the oldest answer in the outbox was posted. */
let outboxSince = 0;
let outbox: FromWorker[] = [];
/** Progress reports waiting in the outbox, by job and input: a newer report replaces the value. */
let reports = new Map<string, { value: unknown }>();
/** The input of each job whose promise has not settled, by job id (a job runs one input at a time). */
const awaiting = new Map<number, number>();

function receive(batch: readonly ToWorkerWire[]): void {
  for (const message of unpackRuns(batch)) {
    if (message.kind === 'run') accept(message);
    else if (message.kind === 'cancel') cancel(message.jobId, message.reason);
    else load(message.taskId, message.moduleUrl, message.exportName);
  }
}

function load(taskId: number, moduleUrl: string, exportName: string): void {
  const loading = loadTask({ kind: 'switchyard.task', moduleUrl, exportName });
  tasks.set(taskId, loading);
  loaded.delete(taskId);
  loading.then(
    (fn) => {
      if (tasks.get(taskId) === loading) loaded.set(taskId, fn);
      post({ kind: 'loaded', taskId });
    },
    (error: unknown) =>
      post({
        kind: 'loaded',
        taskId,
        error: toWire(error),
      }),
  );
}

function accept(message: RunMessage): void {
  const job: Job = { message, controller: undefined, reason: undefined, place: undefined };
  jobs.set(message.jobId, job);
  job.place = waiting.push(job);
  drain();
}

/**
 * Starts waiting jobs while slots are free. A loop, not recursion: a job of a synchronous
 * task finishes inside `start`, and a batch of thousands must not nest that deep. Where the
 * pool reads the mark after any death, the answers to a whole batch of short jobs leave in
 * one message (a crash names its culprit through the mark); elsewhere each job's answer
 * leaves before the next job starts.
 */
function drain(): void {
  if (draining) return;
  draining = true;
  while (running < port.tasksPerWorker && waiting.size > 0) {
    const next = waiting.shift()!;
    if (outbox.length > 0 && !batchesBehind(next)) flush();
    start(next);
  }
  draining = false;
}

function cancel(jobId: number, reason: WireError): void {
  const job = jobs.get(jobId);
  if (!job || job.reason) return;
  job.reason = reason;
  if (job.place?.linked) {
    waiting.remove(job.place);
    jobs.delete(jobId);
    post({ kind: 'done', jobId, values: [], dropped: true, ms: 0 });
    return;
  }
  job.controller?.abort(fromWire(reason));
}

/**
 * Whether answers already in the outbox may wait for `next` to finish: only where a crash
 * cannot take them down unnoticed (the pool reads the mark after any death), only if `next` is
 * known to be short, and only for about {@link BATCH_MS} — so a quick answer is never held
 * back by a long task queued behind it. A prediction can be wrong, so a job with a deadline
 * is watched: its answer never waits here, and a watched job's start sends what waits.
 */
function batchesBehind(next: Job): boolean {
  if (!port.markSurvivesAnyDeath) return false;
  const ms = inputMs.get(next.message.taskId);
  return (
    ms !== undefined &&
    ms * next.message.inputs.length < BATCH_MS &&
    performance.now() - outboxSince < BATCH_MS
  );
}

function start(job: Job): void {
  running++;
  job.place = undefined;
  const { taskId } = job.message;
  const fn = loaded.get(taskId);
  if (fn) {
    runJob(job, fn);
    return;
  }
  const task = tasks.get(taskId);
  if (!task) throw new Error(`switchyard worker: job for task ${taskId} before its load`);
  task.then(
    (fn) => runJob(job, fn),
    (error: unknown) => {
      const failure = toWire(error);
      finish(
        job,
        [],
        job.message.inputs.map((_, offset) => ({ offset, error: failure })),
        0,
      );
    },
  );
}

/**
 * Runs the inputs one after another; stays synchronous while the task does, so tiny tasks
 * cost no promise. Each input is marked from its call until its promise settles: a task
 * that ends its worker while it awaits is the culprit as surely as one that does so while
 * it runs, and blaming nobody would run the whole job again, that input included.
 */
function runJob(job: Job, fn: TaskFunction<unknown, unknown>): void {
  const { inputs, jobId, watch } = job.message;
  const values: unknown[] = new Array(inputs.length);
  const failures: Failure[] = [];
  const began = performance.now();
  let offset = 0;
  const fail = (error: unknown) => {
    failures.push({ offset, error: toWire(error) });
    offset++;
  };
  const step = (): void => {
    while (offset < inputs.length) {
      if (job.reason) {
        fail(fromWire(job.reason));
        continue;
      }
      if (watch === 'inputs' || (watch === 'start' && offset === 0)) announce(jobId, offset);
      let output: unknown;
      port.mark(jobId, offset);
      try {
        output = fn(inputs[offset], new Context(job, offset));
      } catch (error) {
        markAwaiting();
        fail(error);
        continue;
      }
      if (isThenable(output)) {
        awaiting.set(jobId, offset);
        markAwaiting();
        output.then(
          (value) => {
            awaiting.delete(jobId);
            markAwaiting();
            values[offset++] = value;
            step();
          },
          (error: unknown) => {
            awaiting.delete(jobId);
            markAwaiting();
            fail(error);
            step();
          },
        );
        return;
      }
      markAwaiting();
      values[offset++] = output;
    }
    finish(job, values, failures, performance.now() - began);
  };
  step();
}

/**
 * Marks what runs between calls: the one input awaiting, if one is. With several awaiting
 * (`tasksPerWorker` > 1), a crash cannot be pinned on one, and none is named.
 */
function markAwaiting(): void {
  if (awaiting.size === 1) {
    const [jobId, offset] = awaiting.entries().next().value!;
    port.mark(jobId, offset);
  } else port.mark(0, 0);
}

function finish(job: Job, values: unknown[], failures: Failure[], ms: number): void {
  jobs.delete(job.message.jobId);
  const { taskId, inputs } = job.message;
  const perInput = ms / Math.max(1, inputs.length);
  const before = inputMs.get(taskId);
  inputMs.set(taskId, before === undefined ? perInput : before * 0.8 + perInput * 0.2);
  post({
    kind: 'done',
    jobId: job.message.jobId,
    values,
    failures: failures.length > 0 ? failures : undefined,
    ms,
  });
  // A watched job's clock runs in the pool: its answer must not wait for the next job.
  if (job.message.watch) flush();
  running--;
  drain();
}

/**
 * Tells the pool, now, that an input of a watched job starts: the pool starts the job's
 * timeout clock when it hears it, and a job run again to find a crashing input learns
 * which one ran. Sent before the input runs, since a task that never yields would keep
 * it in the outbox.
 */
function announce(jobId: number, offset: number): void {
  post({ kind: 'started', jobId, offset });
  flush();
}

/** A task's `ctx`: a class, so the thousands made for a chunk of tiny inputs cost one allocation each. */
class Context implements TaskContext {
  readonly #job: Job;
  readonly #offset: number;

  constructor(job: Job, offset: number) {
    this.#job = job;
    this.#offset = offset;
  }

  get signal(): AbortSignal {
    const job = this.#job;
    if (!job.controller) {
      job.controller = new AbortController();
      if (job.reason) job.controller.abort(fromWire(job.reason));
    }
    return job.controller.signal;
  }

  get workerId(): number {
    return port.workerId;
  }

  /** A getter, so that `const { progress } = ctx` works and only tasks that report pay for it. */
  get progress(): (value: unknown) => void {
    const jobId = this.#job.message.jobId;
    const offset = this.#offset;
    return (value) => report(jobId, offset, value);
  }
}

/**
 * Progress is coalesced per turn of the event loop: a task reporting in a tight loop sends
 * one message with its latest value, and it goes out before the job's answer.
 */
function report(jobId: number, offset: number, value: unknown): void {
  const key = `${jobId}:${offset}`;
  const queued = reports.get(key);
  if (queued) {
    queued.value = value;
    return;
  }
  const message: ProgressMessage = { kind: 'progress', jobId, offset, value };
  reports.set(key, message as { value: unknown });
  post(message);
}

/**
 * Puts `message` in the outbox, sent with whatever joins it before the event loop's
 * current phase ends — where the pool reads the mark after any death; elsewhere at the
 * end of the current task. Tasks that wait finish in timer and I/O callbacks one by one,
 * each its own turn: 200 waits per worker cost a message each way per task, and the two
 * messages cost more CPU than the waits themselves.
 */
function post(message: FromWorker): void {
  if (outbox.length === 0) {
    outboxSince = performance.now();
    if (port.markSurvivesAnyDeath) setImmediate(flush);
    else queueMicrotask(flush);
  }
  outbox.push(message);
}

function flush(): void {
  if (outbox.length === 0) return;
  const batch = outbox;
  outbox = [];
  reports = new Map();
  try {
    port.post(packDones(batch));
  } catch {
    for (const message of batch) postAlone(message);
  }
}

/** Sends one message of a batch that failed to serialize, turning what cannot be sent into failures. */
function postAlone(message: FromWorker): void {
  try {
    port.post(sendable(message));
  } catch (error) {
    if (message.kind !== 'done') return;
    const unsendable = {
      path: 'output',
      problem: `cannot be cloned (${(error as Error).message})`,
    };
    const reason = { name: 'SerializationError', message: `output ${unsendable.problem}` };
    const failures = message.values.map((_, offset) => ({ offset, unsendable, error: reason }));
    port.post([{ ...message, values: [], failures }]);
  }
}

/** A message as it can be sent: outputs that cannot be cloned become failures naming their path. */
function sendable(message: FromWorker): FromWorker[] {
  if (message.kind === 'progress') {
    const bad = findUnsendable(message.value, 'progress value');
    if (!bad) return [message];
    process.emitWarning(`switchyard: ctx.progress() value dropped: ${bad.path} ${bad.problem}`);
    return [];
  }
  if (message.kind !== 'done') return [message];
  const failures: Failure[] = [...(message.failures ?? [])];
  const values = message.values.map((value, offset) => {
    const bad = findUnsendable(value, 'output');
    if (!bad) return value;
    failures.push({
      offset,
      unsendable: bad,
      error: { name: 'SerializationError', message: `${bad.path} ${bad.problem}` },
    });
    return undefined;
  });
  const checked: DoneMessage = { ...message, values, failures };
  return [checked];
}

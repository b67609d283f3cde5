/**
 * The program every pool worker runs, thread or process alike: it loads tasks through the
 * one module loader, runs jobs (up to `tasksPerWorker` at once, the rest in arrival order),
 * gives each task a real `ctx`, and answers every job exactly once. Kept light on purpose:
 * nothing heavy is imported until a task needs it (tsx only for a `.ts` task module).
 */
import { deserializeError, type SerializedError, serializeError } from '../../errors.js';
import { loadTask } from '../../task/loader.js';
import type { TaskContext, TaskFunction } from '../../task/reference.js';
import type { DoneMessage, Failure, FromWorker, ProgressMessage, RunMessage } from '../protocol.js';
import { findUnsendable } from '../unsendable.js';
import { openPort } from './port.js';

interface Job {
  readonly message: RunMessage;
  controller: AbortController | undefined;
  reason: SerializedError | undefined;
}

const port = await openPort();
const tasks = new Map<number, Promise<TaskFunction<unknown, unknown>>>();
const jobs = new Map<number, Job>();
const waiting: Job[] = [];
let running = 0;
let outbox: FromWorker[] = [];
/** Progress reports waiting in the outbox, by job and input: a newer report replaces the value. */
let reports = new Map<string, { value: unknown }>();

port.onMessage((batch) => {
  for (const message of batch) {
    if (message.kind === 'run') accept(message);
    else if (message.kind === 'cancel') cancel(message.jobId, message.reason);
    else load(message.taskId, message.moduleUrl, message.exportName);
  }
});

function load(taskId: number, moduleUrl: string, exportName: string): void {
  const loaded = loadTask({ kind: 'switchyard.task', moduleUrl, exportName });
  tasks.set(taskId, loaded);
  loaded.then(
    () => post({ kind: 'loaded', taskId }),
    (error: unknown) =>
      post({
        kind: 'loaded',
        taskId,
        error: {
          ...serializeError(error),
          notFound: (error as Error | undefined)?.name === 'TaskNotFoundError',
        },
      }),
  );
}

function accept(message: RunMessage): void {
  const job: Job = { message, controller: undefined, reason: undefined };
  jobs.set(message.jobId, job);
  if (running < port.tasksPerWorker) start(job);
  else waiting.push(job);
}

function cancel(jobId: number, reason: SerializedError): void {
  const job = jobs.get(jobId);
  if (!job || job.reason) return;
  job.reason = reason;
  const queuedAt = waiting.indexOf(job);
  if (queuedAt >= 0) {
    waiting.splice(queuedAt, 1);
    jobs.delete(jobId);
    post({ kind: 'done', jobId, values: [], dropped: true, ms: 0 });
    return;
  }
  job.controller?.abort(deserializeError(reason));
}

function start(job: Job): void {
  running++;
  const task = tasks.get(job.message.taskId);
  if (!task)
    throw new Error(`switchyard worker: job for task ${job.message.taskId} before its load`);
  task.then(
    (fn) => runJob(job, fn),
    (error: unknown) => {
      const failure = serializeError(error);
      finish(
        job,
        [],
        job.message.inputs.map((_, offset) => ({ offset, error: failure })),
        0,
      );
    },
  );
}

/** Runs the inputs one after another; stays synchronous while the task does, so tiny tasks cost no promise. */
function runJob(job: Job, fn: TaskFunction<unknown, unknown>): void {
  const { inputs } = job.message;
  const values: unknown[] = new Array(inputs.length);
  const failures: Failure[] = [];
  const began = performance.now();
  let offset = 0;
  const fail = (error: unknown) => {
    failures.push({ offset, error: serializeError(error) });
    offset++;
  };
  const step = (): void => {
    while (offset < inputs.length) {
      if (job.reason) {
        fail(deserializeError(job.reason));
        continue;
      }
      let output: unknown;
      try {
        output = fn(inputs[offset], contextFor(job, offset));
      } catch (error) {
        fail(error);
        continue;
      }
      if (isThenable(output)) {
        output.then(
          (value) => {
            values[offset++] = value;
            step();
          },
          (error: unknown) => {
            fail(error);
            step();
          },
        );
        return;
      }
      values[offset++] = output;
    }
    finish(job, values, failures, performance.now() - began);
  };
  step();
}

function finish(job: Job, values: unknown[], failures: Failure[], ms: number): void {
  jobs.delete(job.message.jobId);
  post({
    kind: 'done',
    jobId: job.message.jobId,
    values,
    failures: failures.length > 0 ? failures : undefined,
    ms,
  });
  running--;
  const next = waiting.shift();
  if (next) start(next);
}

function contextFor(job: Job, offset: number): TaskContext {
  return {
    get signal() {
      if (!job.controller) {
        job.controller = new AbortController();
        if (job.reason) job.controller.abort(deserializeError(job.reason));
      }
      return job.controller.signal;
    },
    workerId: port.workerId,
    progress(value) {
      report(job.message.jobId, offset, value);
    },
  };
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

function post(message: FromWorker): void {
  if (outbox.length === 0) queueMicrotask(flush);
  outbox.push(message);
}

function flush(): void {
  const batch = outbox;
  outbox = [];
  reports = new Map();
  try {
    port.post(batch);
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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Packs a batch's runs of small messages into columns before it crosses to the other side,
 * and unpacks them there. Structured clone pays per object: a burst of 10,000 `submit`s
 * was 20,000 objects each way (a message and its one-element array per job), and the
 * calling thread spent its time cloning them. Packed, they are three arrays.
 *
 * Only *consecutive* messages are packed, so the order of everything in a batch is kept: a
 * task's `load` still precedes its runs, a job's `cancel` still follows its run, and a
 * job's progress reports still precede its `done`.
 */
import type {
  DoneMessage,
  DonesMessage,
  FromWorker,
  FromWorkerWire,
  RunMessage,
  RunsMessage,
  ToWorker,
  ToWorkerWire,
} from './protocol.js';

export function packRuns(batch: readonly ToWorker[]): readonly ToWorkerWire[] {
  return packConsecutive(
    batch,
    isSingleRun,
    (): RunsMessage => {
      return { kind: 'runs', jobIds: [], taskIds: [], inputs: [] };
    },
    addRun,
  );
}

export function unpackRuns(batch: readonly ToWorkerWire[]): readonly ToWorker[] {
  if (!batch.some((message) => message.kind === 'runs')) return batch as readonly ToWorker[];
  return batch.flatMap((message): ToWorker[] => {
    if (message.kind !== 'runs') return [message];
    return message.jobIds.map((jobId, i) => ({
      kind: 'run',
      jobId,
      taskId: message.taskIds[i]!,
      inputs: [message.inputs[i]],
    }));
  });
}

export function packDones(batch: readonly FromWorker[]): readonly FromWorkerWire[] {
  return packConsecutive(
    batch,
    isPlainDone,
    (): DonesMessage => {
      return { kind: 'dones', jobIds: [], values: [], ms: [] };
    },
    addDone,
  );
}

export function unpackDones(batch: readonly FromWorkerWire[]): readonly FromWorker[] {
  if (!batch.some((message) => message.kind === 'dones')) return batch as readonly FromWorker[];
  return batch.flatMap((message): FromWorker[] => {
    if (message.kind !== 'dones') return [message];
    return message.jobIds.map((jobId, i) => ({
      kind: 'done',
      jobId,
      values: [message.values[i]],
      ms: message.ms[i]!,
    }));
  });
}

function isSingleRun(message: ToWorker): message is RunMessage {
  return message.kind === 'run' && message.inputs.length === 1;
}

function addRun(packed: RunsMessage, run: RunMessage): void {
  packed.jobIds.push(run.jobId);
  packed.taskIds.push(run.taskId);
  packed.inputs.push(run.inputs[0]);
}

/** A single-input job's answer with nothing but its output: no failure, not dropped. */
function isPlainDone(message: FromWorker): message is DoneMessage {
  return (
    message.kind === 'done' &&
    message.values.length === 1 &&
    message.failures === undefined &&
    message.dropped === undefined
  );
}

function addDone(packed: DonesMessage, done: DoneMessage): void {
  packed.jobIds.push(done.jobId);
  packed.values.push(done.values[0]);
  packed.ms.push(done.ms);
}

/** `batch` with every stretch of two or more messages that `fit` replaced by one packed message. */
function packConsecutive<M, Fit extends M, Packed>(
  batch: readonly M[],
  fits: (message: M) => message is Fit,
  open: () => Packed,
  add: (packed: Packed, message: Fit) => void,
): readonly (M | Packed)[] {
  let packed: (M | Packed)[] | undefined;
  for (let i = 0; i < batch.length; i++) {
    const message = batch[i]!;
    const next = batch[i + 1];
    if (!fits(message) || next === undefined || !fits(next)) {
      packed?.push(message);
      continue;
    }
    packed ??= batch.slice(0, i);
    const columns = open();
    for (; i < batch.length; i++) {
      const member = batch[i]!;
      if (!fits(member)) break;
      add(columns, member);
    }
    packed.push(columns);
    i--;
  }
  return packed ?? batch;
}

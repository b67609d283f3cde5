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

/** How one kind of small message packs into columns and back. */
interface Columns<M, Fit extends M, Packed extends { readonly kind: string }> {
  readonly kind: Packed['kind'];
  /** Whether `message` may join a packed stretch. */
  fits(message: M): message is Fit;
  /** An empty packed message. */
  open(): Packed;
  add(packed: Packed, message: Fit): void;
  /** The messages `packed` stands for, in order. */
  expand(packed: Packed): M[];
}

/** Runs of one input each, not watched. */
const RUNS: Columns<ToWorker, RunMessage, RunsMessage> = {
  kind: 'runs',
  fits: (message): message is RunMessage =>
    message.kind === 'run' && message.inputs.length === 1 && message.watch === undefined,
  open: () => ({ kind: 'runs', jobIds: [], taskIds: [], inputs: [] }),
  add(packed, run) {
    packed.jobIds.push(run.jobId);
    packed.taskIds.push(run.taskId);
    packed.inputs.push(run.inputs[0]);
  },
  expand: (packed) =>
    packed.jobIds.map((jobId, i) => ({
      kind: 'run',
      jobId,
      taskId: packed.taskIds[i]!,
      inputs: [packed.inputs[i]],
    })),
};

/** Answers of single-input jobs with nothing but an output: no failure, not dropped. */
const DONES: Columns<FromWorker, DoneMessage, DonesMessage> = {
  kind: 'dones',
  fits: (message): message is DoneMessage =>
    message.kind === 'done' &&
    message.values.length === 1 &&
    message.failures === undefined &&
    message.dropped === undefined,
  open: () => ({ kind: 'dones', jobIds: [], values: [], ms: [] }),
  add(packed, done) {
    packed.jobIds.push(done.jobId);
    packed.values.push(done.values[0]);
    packed.ms.push(done.ms);
  },
  expand: (packed) =>
    packed.jobIds.map((jobId, i) => ({
      kind: 'done',
      jobId,
      values: [packed.values[i]],
      ms: packed.ms[i]!,
    })),
};

export const packRuns = (batch: readonly ToWorker[]): readonly ToWorkerWire[] => pack(batch, RUNS);
export const unpackRuns = (batch: readonly ToWorkerWire[]): readonly ToWorker[] =>
  unpack(batch, RUNS);
export const packDones = (batch: readonly FromWorker[]): readonly FromWorkerWire[] =>
  pack(batch, DONES);
export const unpackDones = (batch: readonly FromWorkerWire[]): readonly FromWorker[] =>
  unpack(batch, DONES);

/** `batch` with its packed messages expanded; `batch` itself when it has none. */
function unpack<M, Packed extends { readonly kind: string }>(
  batch: readonly (M | Packed)[],
  columns: Columns<M, M, Packed>,
): readonly M[] {
  const isPacked = (message: M | Packed): message is Packed =>
    (message as { kind: string }).kind === columns.kind;
  if (!batch.some(isPacked)) return batch as readonly M[];
  return batch.flatMap((message) => (isPacked(message) ? columns.expand(message) : [message]));
}

/** `batch` with every stretch of two or more messages that fit replaced by one packed message. */
function pack<M, Fit extends M, Packed extends { readonly kind: string }>(
  batch: readonly M[],
  columns: Columns<M, Fit, Packed>,
): readonly (M | Packed)[] {
  let packed: (M | Packed)[] | undefined;
  for (let i = 0; i < batch.length; i++) {
    const message = batch[i]!;
    const next = batch[i + 1];
    if (!columns.fits(message) || next === undefined || !columns.fits(next)) {
      packed?.push(message);
      continue;
    }
    packed ??= batch.slice(0, i);
    const stretch = columns.open();
    for (; i < batch.length; i++) {
      const member = batch[i]!;
      if (!columns.fits(member)) break;
      columns.add(stretch, member);
    }
    packed.push(stretch);
    i--;
  }
  return packed ?? batch;
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { packDones, packRuns, unpackDones, unpackRuns } from '../../../src/runners/pool/pack.js';
import type { FromWorker, ToWorker } from '../../../src/runners/pool/protocol.js';

const id = fc.nat({ max: 1_000 });
const value = fc.oneof(fc.integer(), fc.string(), fc.constant(undefined), fc.object());

const toWorker: fc.Arbitrary<ToWorker> = fc.oneof(
  fc.record({
    kind: fc.constant('run' as const),
    jobId: id,
    taskId: id,
    inputs: fc.array(value, { minLength: 1, maxLength: 3 }),
  }),
  // Single-input runs are what packing is for: make long stretches of them likely.
  fc.record({
    kind: fc.constant('run' as const),
    jobId: id,
    taskId: id,
    inputs: fc.tuple(value),
  }),
  // A watched run announces itself, so it crosses whole.
  fc.record({
    kind: fc.constant('run' as const),
    jobId: id,
    taskId: id,
    inputs: fc.tuple(value),
    watch: fc.constantFrom('start' as const, 'inputs' as const),
  }),
  fc.record({
    kind: fc.constant('load' as const),
    taskId: id,
    moduleUrl: fc.webUrl(),
    exportName: fc.string(),
  }),
  fc.record({
    kind: fc.constant('cancel' as const),
    jobId: id,
    reason: fc.record({ name: fc.string(), message: fc.string() }),
  }),
);

const failure = fc.record({
  offset: fc.nat({ max: 3 }),
  error: fc.record({ name: fc.string(), message: fc.string() }),
});

const fromWorker: fc.Arbitrary<FromWorker> = fc.oneof(
  fc.record({
    kind: fc.constant('done' as const),
    jobId: id,
    values: fc.tuple(value),
    ms: fc.double({ min: 0, max: 1e4, noNaN: true }),
  }),
  fc.record(
    {
      kind: fc.constant('done' as const),
      jobId: id,
      values: fc.array(value, { maxLength: 3 }),
      failures: fc.array(failure, { minLength: 1, maxLength: 2 }),
      dropped: fc.constant(true),
      ms: fc.double({ min: 0, max: 1e4, noNaN: true }),
    },
    { requiredKeys: ['kind', 'jobId', 'values', 'ms'] },
  ),
  fc.record({ kind: fc.constant('progress' as const), jobId: id, offset: id, value }),
  fc.record({ kind: fc.constant('loaded' as const), taskId: id }),
  fc.record({ kind: fc.constant('started' as const), jobId: id, offset: id }),
);

describe('batch packing (pool protocol)', () => {
  it('property: a batch to a worker unpacks to exactly what was packed, and single-input runs never stay side by side', () => {
    fc.assert(
      fc.property(fc.array(toWorker, { maxLength: 60 }), (batch) => {
        const packed = packRuns(batch);
        // What arrives is what would have arrived unpacked (both cross by structured clone).
        assert.deepEqual(unpackRuns(structuredClone(packed)), structuredClone(batch));
        assert.ok(packed.length <= batch.length);
        packed.forEach((message, i) => {
          const next = packed[i + 1];
          const single = (m: typeof message | undefined) =>
            m?.kind === 'run' && m.inputs.length === 1 && m.watch === undefined;
          assert.ok(!(single(message) && single(next)), 'two single runs left unpacked');
        });
        const watched = (m: ToWorker) => m.kind === 'run' && m.watch !== undefined;
        assert.deepEqual(
          packed.filter((m) => m.kind === 'run' && watched(m)),
          batch.filter(watched),
          'watched runs stay whole messages',
        );
      }),
    );
  });

  it('property: a batch from a worker unpacks to exactly what was packed, and failures and drops stay whole messages', () => {
    fc.assert(
      fc.property(fc.array(fromWorker, { maxLength: 60 }), (batch) => {
        const packed = packDones(batch);
        assert.deepEqual(unpackDones(structuredClone(packed)), structuredClone(batch));
        for (const message of packed) {
          if (message.kind !== 'dones') continue;
          assert.ok(message.jobIds.length >= 2, 'a lone answer is not worth packing');
          assert.equal(message.values.length, message.jobIds.length);
          assert.equal(message.ms.length, message.jobIds.length);
        }
        const whole = (m: FromWorker) => m.kind === 'done' && (m.failures || m.dropped);
        assert.deepEqual(
          packed.filter((m) => m.kind === 'done' && whole(m)),
          batch.filter(whole),
        );
      }),
    );
  });

  it('packs a burst of single-input runs into one message that keeps its place among loads and cancels', () => {
    const load: ToWorker = { kind: 'load', taskId: 1, moduleUrl: 'file:///t.js', exportName: 'f' };
    const runs: ToWorker[] = [1, 2, 3].map((jobId) => ({
      kind: 'run',
      jobId,
      taskId: 1,
      inputs: [jobId * 10],
    }));
    const cancel: ToWorker = { kind: 'cancel', jobId: 2, reason: { name: 'E', message: 'm' } };
    assert.deepEqual(packRuns([load, ...runs, cancel]), [
      load,
      { kind: 'runs', jobIds: [1, 2, 3], taskIds: [1, 1, 1], inputs: [10, 20, 30] },
      cancel,
    ]);
  });
});

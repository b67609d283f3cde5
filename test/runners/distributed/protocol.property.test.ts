import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TaskError, TimeoutError } from '../../../src/core/errors.js';
import {
  decodeArray,
  encodeInputs,
  encodeOutcomes,
  failure,
  MAX_CHUNK,
  type Outcome,
  PROTOCOL_VERSION,
  readChunkJob,
} from '../../../src/runners/distributed/protocol.js';

/** Values the local pools accept, and so a distributed job must carry unchanged. */
const value = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string(),
  fc.bigInt(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 4, noNullPrototype: true }),
  fc.uint8Array({ maxLength: 8 }),
);
const chunk = fc.array(value, { minLength: 1, maxLength: 20 });

function job(inputs: unknown[], fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    v: PROTOCOL_VERSION,
    module: 'my-app/dist/jobs.js',
    export: 'resize',
    inputs: encodeInputs(inputs),
    count: inputs.length,
    ...fields,
  };
}

describe('distributed protocol (properties)', () => {
  it('every chunk the executor writes, the worker reads back unchanged', () => {
    fc.assert(
      fc.property(
        chunk,
        fc.option(fc.integer({ min: 1, max: 1e7 }), { nil: undefined }),
        (inputs, timeout) => {
          const read = readChunkJob(job(inputs, timeout === undefined ? {} : { timeout }));
          assert.deepEqual(read.values, inputs);
          assert.equal(read.count, inputs.length);
          assert.equal(read.timeout, timeout);
        },
      ),
    );
  });

  it('any malformed job is refused with a TypeError naming the field, never anything else', () => {
    const junk = fc.oneof(
      fc.anything(),
      chunk.chain((inputs) =>
        fc
          .record({
            field: fc.constantFrom('v', 'module', 'export', 'inputs', 'count', 'timeout', 'done'),
            bad: fc.oneof(
              fc.constant(undefined),
              fc.constant(''),
              fc.integer({ min: -5, max: 0 }),
              fc.constant(MAX_CHUNK + 1),
              fc.string({ maxLength: 6 }),
              fc.object({ maxDepth: 1 }),
            ),
          })
          .map(({ field, bad }) => job(inputs, { [field]: bad })),
      ),
    );
    fc.assert(
      fc.property(junk, (data) => {
        try {
          readChunkJob(data);
        } catch (error) {
          assert.ok(error instanceof TypeError, String(error));
          assert.match(error.message, /^invalid switchyard job: '\w+' must be /);
        }
      }),
    );
  });

  it('outcomes round-trip: values, switchyard errors with their fields, and holes', () => {
    const outcome: fc.Arbitrary<Outcome | undefined> = fc.oneof(
      value.map((v) => ({ ok: true as const, value: v })),
      fc.integer({ min: 1, max: 1e6 }).map((ms) => failure(new TimeoutError(ms))),
      fc.string().map((m) => failure(new TaskError(new RangeError(m)))),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 20 }), (outcomes) => {
        const back = decodeArray(encodeOutcomes(outcomes), 'outcomes');
        assert.equal(back.length, outcomes.length);
        assert.deepEqual(back, outcomes);
      }),
    );
  });
});

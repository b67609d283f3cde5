/**
 * Properties of `map` and `mapSettled` under random delays, failures, concurrency and
 * ordering, on the loop executor (the shared front and map window are what is tested).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createExecutor, TaskError } from '../../src/index.js';
import { sleep } from '../../src/primitives/sleep.js';
import { collect } from '../conformance/suite.js';

interface Spec {
  readonly index: number;
  readonly ms: number;
  readonly fail: boolean;
}

const specs = fc
  .array(fc.record({ ms: fc.integer({ min: 0, max: 4 }), fail: fc.boolean() }), { maxLength: 25 })
  .map((list) => list.map((spec, index): Spec => ({ index, ...spec })));

/** A task that records the order in which tasks finish. */
function recorder() {
  const finished: number[] = [];
  const job = async ({ index, ms, fail }: Spec) => {
    await sleep(ms);
    finished.push(index);
    if (fail) throw new Error(`input ${index} failed`);
    return index * 10;
  };
  return { finished, job };
}

describe('map and mapSettled (property)', () => {
  it('mapSettled settles every index exactly once, in completion order, with its own outcome', async () => {
    await fc.assert(
      fc.asyncProperty(specs, fc.integer({ min: 1, max: 6 }), async (inputs, concurrency) => {
        await using ex = createExecutor({ mode: 'loop', concurrency });
        const { finished, job } = recorder();
        const settled = await collect(ex.mapSettled(job, inputs));
        assert.deepEqual(
          settled.map((s) => s.index),
          finished,
        );
        assert.deepEqual(
          settled.map((s) => s.index).sort((a, b) => a - b),
          inputs.map((s) => s.index),
        );
        for (const s of settled) {
          if (inputs[s.index]!.fail) {
            assert.ok(!s.ok && s.error instanceof TaskError);
            assert.match(s.error.message, new RegExp(`input ${s.index} failed`));
          } else assert.deepEqual(s, { index: s.index, ok: true, value: s.index * 10 });
        }
        assert.equal(ex.stats().completed + ex.stats().failed, inputs.length);
      }),
      { numRuns: 60 },
    );
  });

  it('map yields input order (or completion order) when nothing fails, and the first failure in time otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(
        specs,
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        async (inputs, concurrency, ordered) => {
          await using ex = createExecutor({ mode: 'loop', concurrency });
          const { finished, job } = recorder();
          const results = collect(ex.map(job, inputs, { ordered }));
          if (inputs.every((s) => !s.fail)) {
            const out = await results;
            assert.deepEqual(
              out,
              (ordered ? inputs.map((s) => s.index) : finished).map((i) => i * 10),
            );
            return;
          }
          const error = await results.then(
            () => assert.fail('map should reject'),
            (e: unknown) => e,
          );
          const firstFailure = finished.find((i) => inputs[i]!.fail);
          assert.ok(error instanceof TaskError);
          assert.match(error.message, new RegExp(`input ${firstFailure} failed`));
        },
      ),
      { numRuns: 60 },
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IndexSet } from '../../src/run/index-set.js';

/** Indices as they come: mostly dense and small, some past 2^32, some as large as can be. */
const anIndex = fc.oneof(
  { arbitrary: fc.nat({ max: 100_000 }), weight: 4 },
  fc.integer({ min: 2 ** 32 - 16, max: 2 ** 32 + 16 }),
  fc.nat({ max: 2 ** 32 + 100_000 }),
  fc.maxSafeNat(),
);

describe('IndexSet', () => {
  it('behaves like a Set of non-negative integers, for every safe integer', () => {
    fc.assert(
      fc.property(fc.array(anIndex), fc.array(anIndex), (added, probes) => {
        const set = new IndexSet();
        const model = new Set<number>();
        for (const i of added) assert.equal(set.add(i), !model.has(i) && Boolean(model.add(i)));
        assert.equal(set.size, model.size);
        for (const i of [...added, ...probes]) assert.equal(set.has(i), model.has(i), `has(${i})`);
        // An index and the ones 2^32 away never stand for each other.
        for (const i of added) {
          assert.equal(set.has(i + 2 ** 32), model.has(i + 2 ** 32), `has(${i} + 2^32)`);
          if (i >= 2 ** 32) assert.equal(set.has(i - 2 ** 32), model.has(i - 2 ** 32));
        }
      }),
    );
  });

  it('2^32 is not 0', () => {
    const set = new IndexSet();
    set.add(2 ** 32);
    assert.equal(set.has(0), false);
    assert.equal(set.add(0), true);
    assert.equal(set.size, 2);
  });

  it('an index far beyond the others costs little memory', () => {
    const set = new IndexSet();
    const before = process.memoryUsage().arrayBuffers;
    set.add(2e9);
    set.add(Number.MAX_SAFE_INTEGER);
    assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20);
    assert.equal(set.has(2e9), true);
  });

  it('holds no value that is not an index', () => {
    const set = new IndexSet();
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 1e300]) {
      assert.equal(set.has(bad), false, `has(${bad})`);
      assert.throws(() => set.add(bad), RangeError, `add(${bad})`);
    }
    assert.equal(set.size, 0);
  });
});

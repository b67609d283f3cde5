import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IndexSet } from '../../src/run/index-set.js';

describe('IndexSet', () => {
  it('behaves like a Set of non-negative integers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 100_000 })),
        fc.array(fc.nat({ max: 100_000 })),
        (added, probes) => {
          const set = new IndexSet();
          const model = new Set<number>();
          for (const i of added) assert.equal(set.add(i), !model.has(i) && Boolean(model.add(i)));
          assert.equal(set.size, model.size);
          for (const i of [...added, ...probes]) assert.equal(set.has(i), model.has(i));
        },
      ),
    );
  });
});

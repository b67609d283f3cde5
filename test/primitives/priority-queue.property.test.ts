import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PriorityQueue } from '../../src/primitives/priority-queue.js';

describe('PriorityQueue', () => {
  it('yields (and peeks at) highest priority first, equal priorities in arrival order, without removed items', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ priority: fc.integer({ min: -3, max: 3 }), remove: fc.boolean() })),
        (items) => {
          const queue = new PriorityQueue<number>();
          const handles = items.map((item, i) => queue.push(i, item.priority));
          items.forEach((item, i) => {
            if (item.remove) queue.remove(handles[i]!, item.priority);
          });
          const expected = items
            .map((item, i) => ({ ...item, i }))
            .filter((item) => !item.remove)
            .sort((a, b) => b.priority - a.priority || a.i - b.i)
            .map((item) => item.i);
          assert.equal(queue.size, expected.length);
          const got: number[] = [];
          for (let next = queue.peek(); next !== undefined; next = queue.peek()) {
            assert.equal(queue.shift(), next, 'peek() shows what shift() returns');
            got.push(next);
          }
          assert.equal(queue.shift(), undefined);
          assert.deepEqual(got, expected);
          assert.equal(queue.size, 0);
        },
      ),
    );
  });
});

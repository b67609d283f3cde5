import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Fifo, type FifoNode } from '../../src/primitives/fifo.js';

type Op = { kind: 'push' } | { kind: 'shift' } | { kind: 'remove'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: 'push' } as const),
  fc.constant({ kind: 'shift' } as const),
  fc.nat().map((pick) => ({ kind: 'remove', pick }) as const),
);

describe('Fifo', () => {
  it('property: push, shift and removal of any node (twice too) behave like an array, and iteration sees the rest in order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const fifo = new Fifo<number>();
        const model: number[] = [];
        const nodes: FifoNode<number>[] = [];
        let next = 0;
        for (const step of ops) {
          if (step.kind === 'push') {
            nodes.push(fifo.push(next));
            model.push(next++);
          } else if (step.kind === 'shift') {
            assert.equal(fifo.shift(), model.shift());
          } else if (nodes.length > 0) {
            // Any node ever pushed: removing one that already left does nothing.
            const node = nodes[step.pick % nodes.length]!;
            fifo.remove(node);
            const at = model.indexOf(node.value);
            if (at >= 0) model.splice(at, 1);
          }
          assert.equal(fifo.size, model.length);
          assert.equal(fifo.peek(), model[0]);
        }
        assert.deepEqual([...fifo], model);
      }),
      { numRuns: 300 },
    );
  });
});

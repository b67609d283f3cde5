import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { findUnsendable } from '../../../src/core/unsendable.js';

describe('findUnsendable', () => {
  it('names the path of a function inside an input', () => {
    assert.deepEqual(findUnsendable({ options: { onDone: () => {} } }, 'input'), {
      path: 'input.options.onDone',
      problem: 'is a function',
    });
    assert.equal(findUnsendable([1, { a: [Symbol('s')] }], 'input')?.path, 'input[1].a[0]');
    assert.equal(findUnsendable(new Map([['k', () => 1]]), 'output')?.path, 'output.get("k")');
  });

  it('finds nothing in any value that structured cloning accepts', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        structuredClone(value);
        return findUnsendable(value, 'input') === undefined;
      }),
    );
  });

  it('finds a function planted anywhere, and structured cloning agrees it cannot be sent', () => {
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.constant('leaf'),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, fc.nat(), (value, pick) => {
        const holes: { parent: Record<string, unknown>; key: string }[] = [];
        const collect = (v: unknown) => {
          if (v && typeof v === 'object') {
            for (const key of Object.keys(v)) {
              holes.push({ parent: v as Record<string, unknown>, key });
              collect((v as Record<string, unknown>)[key]);
            }
          }
        };
        const root = { value };
        collect(root);
        const hole = holes[pick % holes.length]!;
        hole.parent[hole.key] = () => {};
        const found = findUnsendable(root, 'input');
        assert.ok(found);
        assert.equal(found.problem, 'is a function');
        assert.throws(() => structuredClone(root));
        // The path leads to a function.
        const walked = new Function('input', `return ${found.path}`)(root) as unknown;
        assert.equal(typeof walked, 'function');
      }),
    );
  });
});

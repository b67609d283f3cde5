/**
 * The outcomes a map has settled and not yet yielded: handed out in completion order, or
 * in input order however they settled, each once (properties, fast-check).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Settled } from '../../src/core/types.js';
import { Outcomes } from '../../src/executor/map-outcomes.js';

const settled = (index: number): Settled<number> => ({ index, ok: true, value: index * 10 });

/**
 * A map's life over `count` inputs with at most `window` between read and yielded: at each
 * step (drawn from `choices`) an input in flight settles, in an order drawn from them too,
 * or the consumer takes what is due. Returns the indices in the order they were taken, and
 * in the order they settled.
 */
function run(ordered: boolean, count: number, window: number, choices: number[]) {
  const outcomes = new Outcomes<number>(window, ordered);
  const taken: number[] = [];
  const settledOrder: number[] = [];
  const settle = (index: number) => {
    settledOrder.push(index);
    outcomes.put(settled(index));
  };
  const inFlight: number[] = [];
  let read = 0;
  let held = 0;
  let step = 0;
  const choose = (n: number) => (choices[step++ % choices.length] ?? 0) % n;
  while (taken.length < count) {
    while (read < count && held < window) {
      inFlight.push(read++);
      held++;
    }
    if (inFlight.length > 0 && choose(2) === 0) {
      settle(inFlight.splice(choose(inFlight.length), 1)[0]!);
      continue;
    }
    const outcome = outcomes.take();
    if (outcome) {
      assert.equal(outcome.ok && outcome.value, outcome.index * 10);
      taken.push(outcome.index);
      held--;
    } else if (inFlight.length > 0) {
      settle(inFlight.splice(choose(inFlight.length), 1)[0]!);
    }
  }
  assert.equal(outcomes.take(), undefined, 'nothing left once all were taken');
  return { taken, settledOrder };
}

const life = fc.tuple(
  fc.integer({ min: 1, max: 200 }),
  fc.integer({ min: 1, max: 32 }),
  fc.array(fc.nat(), { minLength: 1, maxLength: 64 }),
);

describe('the outcomes a map holds for its consumer', () => {
  it('hands them out in input order when ordered, whatever order they settle in (property)', () => {
    fc.assert(
      fc.property(life, ([count, window, choices]) => {
        const { taken } = run(true, count, window, choices);
        assert.deepEqual(
          taken,
          Array.from({ length: count }, (_, i) => i),
        );
      }),
    );
  });

  it('hands each out once, in the order they settled, when not ordered (property)', () => {
    fc.assert(
      fc.property(life, ([count, window, choices]) => {
        const { taken, settledOrder } = run(false, count, window, choices);
        assert.deepEqual(taken, settledOrder);
        assert.deepEqual(
          [...taken].sort((a, b) => a - b),
          Array.from({ length: count }, (_, i) => i),
        );
      }),
    );
  });

  it('has nothing due while the next input in order has not settled', () => {
    const outcomes = new Outcomes<number>(4, true);
    outcomes.put(settled(1));
    assert.equal(outcomes.take(), undefined);
    outcomes.put(settled(0));
    assert.equal(outcomes.take()?.index, 0);
    assert.equal(outcomes.take()?.index, 1);
    assert.equal(outcomes.take(), undefined);
  });
});

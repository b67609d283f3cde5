/**
 * The gate `auto`'s runs wait at: room is asked for each run's inputs, so a chunk counts
 * as many tasks as it carries; runs are let in by priority, then in arrival order, one
 * that does not fit holding back those behind it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Gate } from '../../../src/runners/auto/gate.js';

/** Room for `capacity` tasks, as `auto` keeps them on the calling thread: a run larger than that goes alone. */
function room(capacity: number) {
  const held = { now: 0, most: 0, largest: 0 };
  const take = (inputs: number): true | undefined => {
    if (held.now > 0 && held.now + inputs > capacity) return undefined;
    held.now += inputs;
    held.most = Math.max(held.most, held.now);
    held.largest = Math.max(held.largest, inputs);
    return true;
  };
  return { held, take };
}

const never = new AbortController().signal;
const ended = () => {};

describe("auto's gate", () => {
  it("asks room for each run's inputs, and lets none past a run that does not fit", async () => {
    const { held, take } = room(10);
    const gate = new Gate(take);
    const order: string[] = [];
    const enter = (name: string, inputs: number) =>
      gate.enter(
        never,
        async () => {
          order.push(name);
        },
        { inputs, ended },
      );
    const entered = [
      enter('six', 6),
      enter('eight', 8), // 14 > 10: waits
      enter('one', 1), // would fit, but arrived after one that waits
    ];
    assert.deepEqual(order, ['six']);
    assert.equal(gate.waiting, 9);
    held.now -= 6;
    gate.wake();
    await Promise.all(entered);
    assert.deepEqual(order, ['six', 'eight', 'one']);
    assert.equal(gate.waiting, 0);
    assert.equal(held.now, 9);
  });

  it('never holds more tasks than its room (or one larger run alone), and lets every run in once, by priority and arrival', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 16 }),
        fc.array(
          fc.record({
            inputs: fc.integer({ min: 1, max: 24 }),
            priority: fc.integer({ min: 0, max: 2 }),
          }),
          { maxLength: 40 },
        ),
        fc.array(fc.nat(), { maxLength: 60 }),
        async (capacity, runs, picks) => {
          const { held, take } = room(capacity);
          const gate = new Gate(take);
          const running: number[] = [];
          const admitted: number[] = [];
          const started = runs.map((run, i) =>
            gate.enter(
              never,
              async () => {
                admitted.push(i);
                running.push(i);
              },
              { inputs: run.inputs, ended, priority: run.priority },
            ),
          );
          // Runs finish in an order the picks choose, until none is left.
          for (let p = 0; running.length > 0; p++) {
            const [done] = running.splice((picks[p] ?? 0) % running.length, 1);
            held.now -= runs[done!]!.inputs;
            gate.wake();
          }
          await Promise.all(started);
          assert.ok(held.most <= Math.max(capacity, held.largest), `held ${held.most}`);
          assert.deepEqual(
            [...admitted].sort((a, b) => a - b),
            runs.map((_, i) => i),
          );
          // Among the runs that had to wait, the order is by priority, then arrival.
          const waited = admitted.slice(firstWait(admitted));
          for (let k = 1; k < waited.length; k++) {
            const [a, b] = [runs[waited[k - 1]!]!, runs[waited[k]!]!];
            assert.ok(
              a.priority > b.priority || (a.priority === b.priority && waited[k - 1]! < waited[k]!),
              `${waited[k - 1]} before ${waited[k]}`,
            );
          }
          assert.equal(gate.waiting, 0);
        },
      ),
    );
  });
});

/** Where the runs admitted at once end: the first that is not its own arrival index. */
function firstWait(admitted: readonly number[]): number {
  const k = admitted.findIndex((run, position) => run !== position);
  return k === -1 ? admitted.length : k;
}

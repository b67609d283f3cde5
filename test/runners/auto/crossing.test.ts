/**
 * What `auto` pays to learn what copying a task's data to a worker would cost: driven by a
 * simulated clock and a clone that takes the time the test says, no real clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Crossing } from '../../../src/runners/auto/crossing.js';

/** A crossing whose clones take `cloneMs(n)` ms each (n counts the clones), on a clock the test moves. */
function simulated(cloneMs: (n: number) => number) {
  let now = 0;
  let clones = 0;
  let cloningMs = 0;
  const crossing = new Crossing(
    () => now,
    (value) => {
      const ms = cloneMs(clones++);
      now += ms;
      cloningMs += ms;
      return value;
    },
  );
  crossing.input({ n: 1 });
  crossing.output({ n: 1 });
  return {
    crossing,
    wait: (ms: number) => {
      now += ms;
    },
    get now() {
      return now;
    },
    get clones() {
      return clones;
    },
    get cloningMs() {
      return cloningMs;
    },
  };
}

describe("auto's measure of what a copy to a worker costs", () => {
  it('takes at most a small share of the time when values are large (a 2 MB result clones in 5 ms)', () => {
    const sim = simulated(() => 5);
    // A saturated thread asks once a window of 20 ms, for 4 s.
    for (let ask = 0; ask < 200; ask++) {
      assert.equal(sim.crossing.copyMs(), 10, 'an input and an output, 5 ms each');
      sim.wait(20);
    }
    // The first two measurements, then 2% of the time since the first ask (and one
    // measurement over it at most).
    const firstTwo = 3 * 10 + 10;
    assert.ok(
      sim.cloningMs <= firstTwo + 0.02 * sim.now + 10,
      `${sim.cloningMs} ms of ${sim.now} measuring`,
    );
    // Measured again all the same, not only at first.
    assert.ok(sim.clones > 2 * (3 + 1), `${sim.clones} clones`);
  });

  it('keeps the fastest of three clones of small values: the first clone pays for setting up', () => {
    // The very first clone takes 2 ms (setting up); every other one 10 µs.
    const sim = simulated((n) => (n === 0 ? 2 : 0.01));
    const first = sim.crossing.copyMs();
    assert.ok(Math.abs(first - 0.02) < 1e-9, `first measure ${first} ms`);
    assert.equal(sim.clones, 6, 'three clones of the input and of the output');
    sim.wait(20);
    sim.crossing.copyMs();
    assert.equal(sim.clones, 12, 'measured twice at first');
  });

  it('measures small values every 16 asks, which costs them next to nothing', () => {
    const sim = simulated(() => 0.01);
    for (let ask = 0; ask < 160; ask++) {
      sim.crossing.copyMs();
      sim.wait(20);
    }
    // Asks 0 and 1 (the first two), then 16, 32, …, 144.
    assert.equal(sim.clones, 6 * 11);
  });

  it('answers 0 for values that cannot be copied (their move is refused elsewhere)', () => {
    const crossing = new Crossing(
      () => 0,
      () => {
        throw new DOMException('cannot be cloned', 'DataCloneError');
      },
    );
    assert.equal(crossing.copyMs(), 0);
  });
});

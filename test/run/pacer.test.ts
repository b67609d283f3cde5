import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HORIZON_MS, Pacer } from '../../src/run/pacer.js';

/** A pacer on a clock the test moves. */
function pacerAt(capacity: number) {
  const clock = { now: 0 };
  return {
    pacer: new Pacer(
      () => capacity,
      () => clock.now,
    ),
    clock,
  };
}

describe('Pacer', () => {
  it('lets twice the concurrency into flight before any result is known', () => {
    const { pacer } = pacerAt(3);
    for (let i = 0; i < 6; i++) {
      assert.equal(pacer.room(), undefined, `input ${i}`);
      pacer.sent();
    }
    assert.ok(pacer.room() instanceof Promise, 'the seventh waits');
  });

  it('a result makes room and wakes the waiting reader', async () => {
    const { pacer, clock } = pacerAt(1);
    pacer.sent();
    pacer.sent();
    let woken = false;
    const room = pacer.room()!.then(() => {
      woken = true;
    });
    await Promise.resolve();
    assert.equal(woken, false);
    clock.now = 100;
    pacer.settled();
    await room;
    assert.equal(woken, true);
  });

  it('keeps about a quarter second of quick work in flight, not just twice the concurrency', () => {
    const { pacer, clock } = pacerAt(2);
    // One result per ms: about HORIZON_MS results' worth may be in flight.
    for (let i = 0; i < 100; i++) {
      pacer.sent();
      clock.now += 1;
      pacer.settled();
    }
    assert.ok(
      pacer.allowance >= HORIZON_MS * 0.9 && pacer.allowance <= HORIZON_MS * 1.1,
      `allowance ${pacer.allowance}`,
    );
  });

  it('results that come in bursts do not inflate the allowance', () => {
    const { pacer, clock } = pacerAt(2);
    // Two workers finishing 100 ms tasks together: pairs of results 100 ms apart.
    for (let i = 0; i < 40; i++) {
      pacer.sent();
      pacer.sent();
      clock.now += 100;
      pacer.settled();
      pacer.settled();
      assert.ok(pacer.allowance <= 6, `after pair ${i}: allowance ${pacer.allowance}`);
    }
  });

  it('for slow work, the allowance stays at twice the concurrency', () => {
    const { pacer, clock } = pacerAt(4);
    for (let i = 0; i < 20; i++) {
      pacer.sent();
      clock.now += 500;
      pacer.settled();
    }
    assert.equal(pacer.allowance, 8);
  });

  it('release() wakes a waiting reader without a result', async () => {
    const { pacer } = pacerAt(1);
    pacer.sent();
    pacer.sent();
    const room = pacer.room()!;
    pacer.release();
    await room;
  });
});

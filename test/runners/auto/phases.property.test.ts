/**
 * The tests every step up is judged by (`phases.ts`), by how far the throughput rose
 * against the tasks in flight: a step that gained nothing never passes for one that
 * queued nothing, and one that finished more than its tasks in flight could bring is
 * never projected from.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Measured } from '../../../src/runners/auto/moves.js';
import { gained, outran, unqueued } from '../../../src/runners/auto/phases.js';
import { SAME_THROUGHPUT } from '../../../src/runners/auto/settings.js';
import { window } from './law-windows.js';

const at = (inFlight: number, throughput: number): Measured => ({
  ...window({ inFlight, throughput }),
  route: 'loop',
  level: Math.max(1, Math.round(inFlight)),
});

/** A step up from `inFlight` to `ratio` times as many, its throughput `share` of proportional. */
const step = fc.record({
  inFlight: fc.double({ min: 1, max: 1_000, noNaN: true }),
  throughput: fc.double({ min: 1, max: 100_000, noNaN: true }),
  ratio: fc.double({ min: 1.01, max: 16, noNaN: true }),
  share: fc.double({ min: 0.01, max: 4, noNaN: true }),
});

describe('the tests of a step up (property)', () => {
  it('order themselves: outran implies unqueued, unqueued implies gained (steps of 1.2× or more)', () => {
    fc.assert(
      fc.property(step, ({ inFlight, throughput, ratio, share }) => {
        // Below about 1.13×, 90% of the proportional gain is less than a climb's 15% share.
        fc.pre(ratio >= 1.2);
        const previous = at(inFlight, throughput);
        const m = at(inFlight * ratio, throughput * ratio * share);
        if (outran(previous, m)) assert.ok(unqueued(previous, m));
        if (unqueued(previous, m)) assert.ok(gained(previous, m));
      }),
    );
  });

  it('read the share of the proportional gain: unqueued from 90% of it, outran past 1 ÷ 90%', () => {
    fc.assert(
      fc.property(step, ({ inFlight, throughput, ratio, share }) => {
        // Away from the edges, where rounding may fall either way.
        const edges = [1 - SAME_THROUGHPUT, 1 / (1 - SAME_THROUGHPUT)];
        fc.pre(edges.every((edge) => Math.abs(share - edge) > 1e-9));
        const previous = at(inFlight, throughput);
        const m = at(inFlight * ratio, throughput * ratio * share);
        assert.equal(unqueued(previous, m), share >= edges[0]!);
        assert.equal(outran(previous, m), share > edges[1]!);
      }),
    );
  });

  it('never count a step that lost throughput as a gain', () => {
    fc.assert(
      fc.property(step, ({ inFlight, throughput, ratio, share }) => {
        fc.pre(ratio * share < 1);
        const previous = at(inFlight, throughput);
        const m = at(inFlight * ratio, throughput * ratio * share);
        assert.equal(gained(previous, m), false);
        assert.equal(outran(previous, m), false);
      }),
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ASSUMED_NOISE,
  type Entrant,
  noiseInterval,
  overlap,
  RESOLUTION,
  SIMPLICITY,
  standing,
} from '../../src/bench/ties.js';
import type { Mode } from '../../src/core/types.js';

/** An entrant as the lab makes them: its interval drawn from its own runs. */
const runsOf = fc.array(fc.double({ min: 1, max: 10_000, noNaN: true }), {
  minLength: 1,
  maxLength: 15,
});
const field = fc
  .uniqueArray(fc.constantFrom(...SIMPLICITY), { minLength: 1, maxLength: SIMPLICITY.length })
  .chain((modes) =>
    fc.tuple(...modes.map((mode) => runsOf.map((walls) => entrantFrom(mode, walls)))),
  );

function entrantFrom(mode: Mode, walls: readonly number[]): Entrant {
  const sorted = [...walls].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const wallMs = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { mode, wallMs, interval: noiseInterval(walls) };
}

/** An entrant with a hand-made interval around its median. */
function at(mode: Mode, wallMs: number, low: number, high: number): Entrant {
  return { mode, wallMs, interval: { low, high } };
}

describe('ties: which mode the figures recommend', () => {
  it('recommends the fastest only when its interval stands apart from every other', () => {
    fc.assert(
      fc.property(field, (entrants) => {
        const s = standing(entrants)!;
        const fastest = entrants.find((e) => e.mode === s.fastest)!;
        if (s.tied.length === 0) {
          assert.equal(s.recommended, s.fastest);
          for (const e of entrants) {
            if (e !== fastest) assert.ok(!overlap(e.interval, fastest.interval), e.mode);
          }
        } else {
          assert.ok(s.tied.includes(s.fastest));
          assert.ok(s.tied.length >= 2, 'a tie has two modes at least');
        }
      }),
    );
  });

  it('ties exactly the modes that overlap the fastest, and recommends the simplest of them that no mode beat', () => {
    fc.assert(
      fc.property(field, (entrants) => {
        const s = standing(entrants)!;
        const fastest = entrants.find((e) => e.mode === s.fastest)!;
        const overlapping = entrants
          .filter((e) => e === fastest || overlap(e.interval, fastest.interval))
          .map((e) => e.mode);
        if (s.tied.length === 0) return;
        assert.deepEqual([...s.tied].sort(), [...overlapping].sort());
        const simplest = [...s.tied].sort((a, b) => SIMPLICITY.indexOf(a) - SIMPLICITY.indexOf(b));
        assert.deepEqual(s.tied, simplest, 'listed simplest first');
        const interval = (mode: Mode) => entrants.find((e) => e.mode === mode)!.interval;
        const unbeaten = simplest.filter(
          (m) => !entrants.some((o) => o.interval.high < interval(m).low),
        );
        assert.equal(s.recommended, unbeaten[0]);
      }),
    );
  });

  it('never recommends a mode that another mode beat beyond noise', () => {
    fc.assert(
      fc.property(field, (entrants) => {
        const s = standing(entrants)!;
        const rec = entrants.find((e) => e.mode === s.recommended)!;
        for (const e of entrants) {
          assert.ok(
            !(e.interval.high < rec.interval.low),
            `${e.mode} (${e.interval.low}–${e.interval.high}) beat ${rec.mode} (${rec.interval.low}–${rec.interval.high})`,
          );
        }
      }),
    );
  });

  it('does not depend on the order of the rows, nor on the unit of time', () => {
    fc.assert(
      fc.property(field, fc.double({ min: 0.001, max: 1_000, noNaN: true }), (entrants, k) => {
        const s = standing(entrants)!;
        assert.deepEqual(standing([...entrants].reverse()), s);
        const scaled = entrants.map((e) => ({
          ...e,
          wallMs: e.wallMs * k,
          interval: { low: e.interval.low * k, high: e.interval.high * k },
        }));
        assert.equal(standing(scaled)!.recommended, s.recommended);
      }),
    );
  });

  it('the I/O lesson: loop and pools within noise of each other → loop', () => {
    const s = standing([
      at('sync', 16_300, 16_290, 16_320),
      at('loop', 118, 112, 125),
      at('threads', 114, 110, 119),
      at('processes', 121, 116, 130),
    ])!;
    assert.equal(s.fastest, 'threads');
    assert.deepEqual(s.tied, ['loop', 'threads', 'processes']);
    assert.equal(s.recommended, 'loop');
  });

  it('the CPU lesson: threads and processes tied → threads; threads alone in front → threads', () => {
    const tie = standing([
      at('sync', 2_000, 1_980, 2_020),
      at('loop', 2_010, 1_990, 2_030),
      at('processes', 1_020, 1_000, 1_040),
      at('threads', 1_030, 1_010, 1_050),
    ])!;
    assert.deepEqual(tie.tied, ['threads', 'processes']);
    assert.equal(tie.recommended, 'threads');
    const apart = standing([at('sync', 2_000, 1_980, 2_020), at('threads', 1_000, 990, 1_010)])!;
    assert.deepEqual(apart.tied, []);
    assert.equal(apart.recommended, 'threads');
    assert.equal(apart.runnerUp, 'sync');
  });

  it('a mode measured fewer than three times is given the assumed noise either side', () => {
    assert.deepEqual(noiseInterval([100]), {
      low: 100 * (1 - ASSUMED_NOISE),
      high: 100 * (1 + ASSUMED_NOISE),
    });
    assert.deepEqual(noiseInterval([90, 110]), {
      low: 90 * (1 - ASSUMED_NOISE),
      high: 110 * (1 + ASSUMED_NOISE),
    });
    // From three runs on, the runs speak for themselves: the middle half of them.
    assert.deepEqual(noiseInterval([100, 110, 130]), { low: 105, high: 120 });
  });

  it('an interval never spans less than the resolution either side of the median', () => {
    // Runs bunched within 0.4% still cannot separate medians 4% apart.
    const tight = noiseInterval([1_000, 1_001, 1_002, 1_003, 1_004]);
    assert.deepEqual(tight, { low: 1_002 * (1 - RESOLUTION), high: 1_002 * (1 + RESOLUTION) });
    const threads = {
      mode: 'threads' as const,
      wallMs: 1_067,
      interval: noiseInterval([1_059, 1_067, 1_070, 1_108]),
    };
    const processes = {
      mode: 'processes' as const,
      wallMs: 1_027,
      interval: noiseInterval([1_021, 1_027, 1_030, 1_044]),
    };
    const s = standing([threads, processes])!;
    assert.deepEqual(s.tied, ['threads', 'processes']);
    assert.equal(s.recommended, 'threads');
    // Medians 10% apart stay apart.
    const far = standing([
      { mode: 'threads', wallMs: 1_100, interval: noiseInterval([1_099, 1_100, 1_101]) },
      { mode: 'processes', wallMs: 1_000, interval: noiseInterval([999, 1_000, 1_001]) },
    ])!;
    assert.deepEqual(far.tied, []);
    assert.equal(far.recommended, 'processes');
  });

  it('does not recommend a simpler tied mode that a less simple one beat beyond noise', () => {
    // loop and threads each overlap the fastest (processes), but threads beat loop outright.
    const s = standing([
      at('processes', 100, 95, 110),
      at('threads', 101, 92, 104),
      at('loop', 108, 106, 112),
    ])!;
    assert.deepEqual(s.tied, ['loop', 'threads', 'processes']);
    assert.equal(s.recommended, 'threads');
  });

  it('has no standing without entrants', () => {
    assert.equal(standing([]), undefined);
  });
});

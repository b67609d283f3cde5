/**
 * How a `map` under `auto` is fed (`map-sizes.ts`): the chunks of tiny tasks on the calling
 * thread, and how far it reads ahead of the level. Scripted windows (see `law-windows.ts`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  inThreadChunk,
  MAX_IN_THREAD_CHUNK,
  MIN_READ_AHEAD,
  readAheadAt,
} from '../../../src/runners/auto/map-sizes.js';
import { IN_THREAD_CHUNK_MS } from '../../../src/runners/auto/settings.js';
import { window } from './law-windows.js';

/** Tiny tasks that compute 20 µs in their call and wait for nothing. */
const tiny = window({ cpuPerTaskMs: 0.02, fastestMs: 0.02, callShare: 1 });

describe('the chunks of a map on the calling thread', () => {
  it('holds about a millisecond of tiny tasks', () => {
    assert.equal(inThreadChunk(tiny, undefined), Math.floor(IN_THREAD_CHUNK_MS / 0.02));
  });

  it('starts one input at a time before any window, with a timeout, or for tasks that wait', () => {
    assert.equal(inThreadChunk(undefined, undefined), 1);
    assert.equal(inThreadChunk(tiny, 1_000), 1);
    // As little CPU, but the fastest took 5 ms from start to end: it waited on something.
    assert.equal(inThreadChunk({ ...tiny, fastestMs: 5 }, undefined), 1);
  });

  it('stays between one input and its most, however little the tasks hold the thread', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.099, noNaN: true }), (heldPerTaskMs) => {
        const inputs = inThreadChunk(
          { ...tiny, heldPerTaskMs, cpuPerTaskMs: heldPerTaskMs },
          undefined,
        );
        assert.ok(Number.isInteger(inputs) && inputs >= 1 && inputs <= MAX_IN_THREAD_CHUNK);
      }),
    );
  });
});

describe('how far a map reads ahead', () => {
  it('reads the level on the calling thread, one more per worker on worker threads, in chunks', () => {
    assert.equal(readAheadAt({ route: 'loop', level: 64 }, 2, 1, 2_048), 64);
    assert.equal(readAheadAt({ route: 'threads', level: 15 }, 2, 1, 2_048), 32);
    assert.equal(readAheadAt({ route: 'threads', level: 3 }, 2, 1, 2_048), MIN_READ_AHEAD);
    assert.equal(readAheadAt({ route: 'loop', level: 64 }, 2, 10, 2_048), 640);
  });

  it('never holds fewer than its least nor more than the map’s window', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('loop' as const, 'threads' as const),
        fc.integer({ min: 1, max: 1_024 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 256 }),
        fc.integer({ min: MIN_READ_AHEAD, max: 4_096 }),
        (route, level, workers, chunk, mapWindow) => {
          const ahead = readAheadAt({ route, level }, workers, chunk, mapWindow);
          assert.ok(ahead >= MIN_READ_AHEAD && ahead <= mapWindow);
        },
      ),
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Settled } from '../../src/core/types.js';
import type { StartChunk } from '../../src/executor/map-chunks.js';
import { mapWindow } from '../../src/executor/map-window.js';

const neverSingly = () =>
  Promise.reject(new Error('a chunked map must not start inputs one by one'));

/** A chunk starter that doubles each input on a later turn, and records the chunks it got. */
function doubling(seen: number[][], fail?: (input: number) => boolean): StartChunk<unknown> {
  return (chunk) => {
    const inputs = chunk as number[];
    seen.push([...inputs]);
    return new Promise((resolve) =>
      setImmediate(() => {
        const failures = new Map<number, Error>();
        inputs.forEach((input, offset) => {
          if (fail?.(input)) failures.set(offset, new Error(`input ${input} failed`));
        });
        resolve({ values: inputs.map((input) => input * 2), failures });
      }),
    );
  };
}

function options(window: number, size: number, start: StartChunk<unknown>, ordered = true) {
  return { window, ordered, failFast: false, chunks: { size: () => size, start } };
}

async function settledOf(iterator: AsyncIterable<unknown>): Promise<Settled<number>[]> {
  const out: Settled<number>[] = [];
  for await (const item of iterator) out.push(item as Settled<number>);
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('mapWindow in chunks', () => {
  it('keeps sending whole chunks while the consumer pulls one output at a time', async () => {
    const seen: number[][] = [];
    const outputs = await settledOf(
      mapWindow(range(1_000), neverSingly, options(64, 16, doubling(seen))),
    );
    assert.deepEqual(
      outputs.map((o) => (o.ok ? o.value : o.error)),
      range(1_000).map((i) => i * 2),
    );
    // 1,000 inputs in chunks of 16: 62 full ones and the rest of 8; never a chunk of one.
    assert.deepEqual(
      seen.map((chunk) => chunk.length),
      [...Array(62).fill(16), 8],
    );
  });

  it('fills chunks from an async source that yields promptly', async () => {
    async function* source() {
      for (const i of range(100)) yield i;
    }
    const seen: number[][] = [];
    const outputs = await settledOf(
      mapWindow(source(), neverSingly, options(40, 10, doubling(seen))),
    );
    assert.equal(outputs.length, 100);
    assert.deepEqual(
      seen.map((chunk) => chunk.length),
      Array(10).fill(10),
    );
  });

  it('starts a partial chunk when an async source stalls, so slow sources are not held back', async () => {
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* source() {
      yield 1;
      yield 2;
      await stalled;
      yield 3;
    }
    const seen: number[][] = [];
    const results = mapWindow(source(), neverSingly, options(40, 10, doubling(seen)));
    const first = await results.next();
    assert.deepEqual(first.value, { index: 0, ok: true, value: 2 });
    assert.deepEqual(seen, [[1, 2]]);
    release();
    const rest = await settledOf(results);
    assert.deepEqual(
      rest.map((o) => o.index),
      [1, 2],
    );
    assert.deepEqual(seen, [[1, 2], [3]]);
  });

  it('an input that fails inside a chunk fails alone; a chunk that rejects fails each of its inputs', async () => {
    const seen: number[][] = [];
    const outputs = await settledOf(
      mapWindow(
        range(20),
        neverSingly,
        options(
          8,
          4,
          doubling(seen, (i) => i === 5),
        ),
      ),
    );
    assert.deepEqual(
      outputs.filter((o) => !o.ok).map((o) => o.index),
      [5],
    );
    const rejecting: StartChunk<unknown> = (inputs, first, cancel) =>
      inputs[0] === 4
        ? Promise.reject(new Error('worker died'))
        : doubling([])(inputs, first, cancel);
    const mixed = await settledOf(mapWindow(range(12), neverSingly, options(8, 4, rejecting)));
    assert.deepEqual(
      mixed.filter((o) => !o.ok).map((o) => [o.index, (o as { error: Error }).error.message]),
      [4, 5, 6, 7].map((i) => [i, 'worker died']),
    );
  });

  it('property: every input is yielded once, in order when ordered, whatever the window and chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 100 }),
        fc.boolean(),
        fc.boolean(),
        async (count, window, size, ordered, async) => {
          const seen: number[][] = [];
          async function* slowly() {
            for (const i of range(count)) yield i;
          }
          const outputs = await settledOf(
            mapWindow(
              async ? slowly() : range(count),
              neverSingly,
              options(window, size, doubling(seen), ordered),
            ),
          );
          const indices = outputs.map((o) => o.index);
          if (ordered) assert.deepEqual(indices, range(count));
          else
            assert.deepEqual(
              [...indices].sort((a, b) => a - b),
              range(count),
            );
          for (const o of outputs)
            assert.deepEqual(o, { index: o.index, ok: true, value: o.index * 2 });
          assert.ok(seen.every((chunk) => chunk.length <= Math.min(window, size)));
          assert.equal(seen.flat().length, count);
        },
      ),
      { numRuns: 150 },
    );
  });
});

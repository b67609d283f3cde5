/**
 * `ownBuffers`, which `processes` runs on every message it receives: after V8
 * deserialization (what Node's IPC channel does), every view is on a buffer of its own,
 * exactly its bytes, and nothing else in the message changes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deserialize, serialize } from 'node:v8';
import fc from 'fast-check';
import { ownBuffers } from '../../../src/runners/pool/transports/own-buffers.js';

type ViewClass = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;
const KINDS: readonly (readonly [ViewClass, number])[] = [
  [Int8Array, 1],
  [Uint8Array, 1],
  [Uint8ClampedArray, 1],
  [Int16Array, 2],
  [Uint16Array, 2],
  [Int32Array, 4],
  [Uint32Array, 4],
  [Float32Array, 4],
  [Float64Array, 8],
  [BigInt64Array, 8],
  [BigUint64Array, 8],
  [DataView, 1],
  [Buffer as unknown as ViewClass, 1],
];

/** What crosses a process boundary: V8 serialization, read back as Node's IPC channel reads it. */
const cross = (value: unknown) => deserialize(serialize(value)) as unknown;

/**
 * `value` with every invalid Date in it set to a valid time, in place: Node 20's
 * `deepStrictEqual` finds two invalid Dates unequal (it compares their times, and NaN is
 * not NaN), though they cross a process boundary as any Date does.
 */
function validDates<T>(value: T, seen = new Set<unknown>()): T {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) value.setTime(0);
  } else if (value instanceof Map)
    for (const [key, item] of value) {
      validDates(key, seen);
      validDates(item, seen);
    }
  else if (value instanceof Set) for (const item of value) validDates(item, seen);
  else if (!ArrayBuffer.isView(value))
    for (const item of Object.values(value)) validDates(item, seen);
  return value;
}

/** Every view in `value`, depth first, through arrays, objects, maps, sets and error causes. */
function viewsIn(value: unknown, found: ArrayBufferView[] = [], seen = new Set<unknown>()) {
  if (typeof value !== 'object' || value === null || seen.has(value)) return found;
  seen.add(value);
  if (ArrayBuffer.isView(value)) found.push(value);
  else if (value instanceof Map)
    for (const [key, item] of value) {
      viewsIn(key, found, seen);
      viewsIn(item, found, seen);
    }
  else if (value instanceof Set) for (const item of value) viewsIn(item, found, seen);
  else {
    for (const item of Object.values(value)) viewsIn(item, found, seen);
    if (value instanceof Error) viewsIn(value.cause, found, seen);
  }
  return found;
}

const bytesOf = (view: ArrayBufferView) =>
  Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('hex');

/** Views of every kind side by side in one slab, as in a pooled `Buffer` or a received message. */
const viewsInOneSlab = fc
  .array(
    fc.record({
      kind: fc.nat({ max: KINDS.length - 1 }),
      elements: fc.nat({ max: 6 }),
      gap: fc.nat({ max: 3 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .chain((specs) => {
    let size = 0;
    const placed = specs.map(({ kind, elements, gap }) => {
      const [View, width] = KINDS[kind]!;
      const offset = Math.ceil((size + gap) / 8) * 8;
      size = offset + elements * width;
      return { View, offset, length: View === DataView ? elements * width : elements };
    });
    return fc.uint8Array({ minLength: size, maxLength: size }).map((fill) => {
      const slab = new ArrayBuffer(size + 8);
      new Uint8Array(slab).set(fill);
      return placed.map(({ View, offset, length }) => new View(slab, offset, length));
    });
  });

/** Where views sit in a message: a batch of messages, in maps, sets, errors and objects. */
const placements: readonly ((views: ArrayBufferView[]) => unknown)[] = [
  (views) => views,
  (views) => [{ kind: 'runs', jobIds: [1, 2], taskIds: [1, 1], inputs: [7, { views }] }],
  (views) => [{ kind: 'done', jobId: 1, values: [new Map(views.map((v, i) => [i, v]))], ms: 1 }],
  (views) => new Map(views.map((v, i) => [v, i])),
  (views) => new Set(views),
  (views) => ({ error: new Error('with views', { cause: views }) }),
];

describe('ownBuffers', () => {
  it('gives every view a buffer of exactly its bytes, of its own class, wherever it sat', () => {
    fc.assert(
      fc.property(viewsInOneSlab, fc.nat({ max: placements.length - 1 }), (views, where) => {
        const received = cross(placements[where]!(views));
        const before = viewsIn(received);
        assert.ok(
          before.every((view) => view.byteLength === 0 || view.buffer.byteLength > view.byteLength),
          'V8 gives views into a larger buffer: its input, or the Buffer pool',
        );
        const back = viewsIn(ownBuffers(received));
        assert.equal(back.length, views.length);
        const buffers = new Set<ArrayBufferLike>();
        for (const [i, view] of back.entries()) {
          const sent = views[i]!;
          assert.equal(Object.getPrototypeOf(view), Object.getPrototypeOf(sent));
          assert.equal(view.byteOffset, 0);
          assert.equal(view.buffer.byteLength, sent.byteLength);
          assert.equal(bytesOf(view), bytesOf(sent));
          buffers.add(view.buffer);
        }
        assert.equal(buffers.size, back.length, 'no two views share a buffer');
      }),
    );
  });

  it('changes nothing but where the bytes of views are', () => {
    fc.assert(
      fc.property(
        fc
          .anything({
            withBigInt: true,
            withBoxedValues: true,
            withDate: true,
            withMap: true,
            withSet: true,
            withNullPrototype: true,
            withObjectString: true,
            withSparseArray: true,
            withTypedArray: true,
          })
          .map(validDates),
        (value) => {
          assert.deepStrictEqual(ownBuffers(cross(value)), cross(value));
        },
      ),
    );
  });

  it('keeps one view sent twice as one view, and follows cycles', () => {
    const view = new Float64Array([1.5, 2.5]);
    const cyclic: Record<string, unknown> = { first: view, views: [view, view] };
    cyclic.self = cyclic;
    cyclic.last = view; // met only after the cycle
    const back = ownBuffers(cross(cyclic)) as typeof cyclic & { views: Float64Array[] };
    assert.equal(back.self, back);
    assert.equal(back.views[0], back.first);
    assert.equal(back.views[1], back.first);
    assert.equal(back.last, back.first);
    assert.equal(back.views[0]!.buffer.byteLength, 16);
    assert.equal(new Float64Array(back.views[0]!.buffer)[0], 1.5);
  });

  it('walks deep values and values shared many times, and still copies every view', () => {
    let deep: unknown = new Uint16Array([7]);
    for (let i = 0; i < 1_000; i++) deep = { next: deep };
    const shared = Array.from({ length: 2_000 }, (_, i) => ({ i }));
    const message = { deep, many: Array(1_000).fill(shared), tail: [new Int32Array([9])] };
    const back = ownBuffers(cross(message)) as { deep: unknown; tail: Int32Array[] };
    let bottom = back.deep;
    while (!ArrayBuffer.isView(bottom)) bottom = (bottom as { next: unknown }).next;
    assert.equal(bottom.buffer.byteLength, 2);
    assert.equal(back.tail[0]!.buffer.byteLength, 4);
    assert.equal(back.tail[0]![0], 9);
  });
});

/**
 * `processes`: a typed array, `DataView` or `Buffer` crosses to a worker process and back on
 * an `ArrayBuffer` of its own, exactly its bytes — as with threads — never as a view into
 * the slab the IPC channel read it into (where `new Float64Array(x.buffer)[0]` read another
 * message's bytes).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createExecutor, task } from '../../../src/index.js';

const fixtures = new URL('./fixtures/views.mjs', import.meta.url);

interface Seen {
  isBuffer: boolean;
  byteOffset: number;
  bufferBytes: number;
  buffer: number[];
}
const inspect = task<ArrayBufferView, Seen>(fixtures, 'inspect');
const firstViaBuffer = task<Float64Array, { first: number; bufferBytes: number }>(
  fixtures,
  'firstViaBuffer',
);
const makeViews = task<number, { f64: Float64Array; dataView: DataView; buffer: Buffer }>(
  fixtures,
  'makeViews',
);

/** Generous: worker processes start slowly on a shared machine, and nothing here measures time. */
const TEST_TIMEOUT = 120_000;

const bytesOf = (view: ArrayBufferView) =>
  Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));

/** Asserts that `view` is alone on its buffer. */
function ownsItsBuffer(view: ArrayBufferView, what: string): void {
  assert.equal(view.byteOffset, 0, `${what}: byteOffset`);
  assert.equal(view.buffer.byteLength, view.byteLength, `${what}: the buffer holds only its bytes`);
}

describe('processes: views cross on buffers of their own', { timeout: TEST_TIMEOUT }, () => {
  it('an input Float64Array reaches the task on a buffer of exactly its 16 bytes', async () => {
    await using ex = createExecutor({ mode: 'processes', workers: 1 });
    assert.deepEqual(await ex.submit(firstViaBuffer, new Float64Array([1.5, 2.5])), {
      first: 1.5,
      bufferBytes: 16,
    });
    const input = new Float64Array([1.5, 2.5]);
    assert.deepEqual(await ex.submit(inspect, input), {
      isBuffer: false,
      byteOffset: 0,
      bufferBytes: 16,
      buffer: bytesOf(input),
    });
  });

  it('an input DataView and Buffer too, and the Buffer is still a Buffer', async () => {
    await using ex = createExecutor({ mode: 'processes', workers: 1 });
    const dataView = new DataView(new ArrayBuffer(8));
    dataView.setFloat64(0, 1.5);
    // Sent from the middle of a larger buffer: only its own bytes go.
    const slab = new Uint8Array(64).fill(0xee);
    slab.set(bytesOf(dataView), 24);
    const midDataView = new DataView(slab.buffer, 24, 8);
    for (const view of [dataView, midDataView])
      assert.deepEqual(await ex.submit(inspect, view), {
        isBuffer: false,
        byteOffset: 0,
        bufferBytes: 8,
        buffer: bytesOf(dataView),
      });
    const buffer = Buffer.from('switchyard'); // a slice of Node's pool, in this process too
    assert.deepEqual(await ex.submit(inspect, buffer), {
      isBuffer: true,
      byteOffset: 0,
      bufferBytes: buffer.length,
      buffer: [...buffer],
    });
  });

  it('an output Float64Array, DataView and Buffer come back on buffers of their own', async () => {
    await using ex = createExecutor({ mode: 'processes', workers: 1 });
    const { f64, dataView, buffer } = await ex.submit(makeViews, 1.5);
    assert.ok(f64 instanceof Float64Array);
    assert.deepEqual([...f64], [1.5, 2.5]);
    ownsItsBuffer(f64, 'Float64Array');
    assert.equal(new Float64Array(f64.buffer)[0], 1.5);
    assert.ok(dataView instanceof DataView);
    ownsItsBuffer(dataView, 'DataView');
    assert.equal(new DataView(dataView.buffer).getFloat64(0), 1.5);
    assert.ok(Buffer.isBuffer(buffer), 'a Buffer comes back a Buffer');
    assert.equal(buffer.toString(), 'switchyard 1.5');
    ownsItsBuffer(buffer, 'Buffer');
  });

  it('many views in one batch, both ways, each get their own bytes', async () => {
    await using ex = createExecutor({ mode: 'processes', workers: 1 });
    const inputs = Array.from({ length: 40 }, (_, i) => new Float64Array([i + 0.5, -i]));
    const seen: Seen[] = [];
    for await (const one of ex.map(inspect, inputs, { chunkSize: 8 })) seen.push(one);
    for (const [i, one] of seen.entries())
      assert.deepEqual(one, {
        isBuffer: false,
        byteOffset: 0,
        bufferBytes: 16,
        buffer: bytesOf(inputs[i]!),
      });
    const seeds = Array.from({ length: 40 }, (_, i) => i + 0.25);
    const outputs = await Promise.all(seeds.map((seed) => ex.submit(makeViews, seed)));
    for (const [i, { f64, dataView, buffer }] of outputs.entries()) {
      ownsItsBuffer(f64, `output ${i}`);
      assert.equal(new Float64Array(f64.buffer)[0], seeds[i]);
      ownsItsBuffer(dataView, `output ${i}`);
      assert.equal(new DataView(dataView.buffer).getFloat64(0), seeds[i]);
      ownsItsBuffer(buffer, `output ${i}`);
      assert.equal(buffer.toString(), `switchyard ${seeds[i]}`);
    }
  });
});

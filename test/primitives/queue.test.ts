import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CancelledError, QueueClosedError } from '../../src/core/errors.js';
import { Queue } from '../../src/primitives/queue.js';

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Queue', () => {
  it('put waits while the queue is full and resumes when a get makes room', async () => {
    const q = new Queue<number>(1);
    await q.put(1);
    let second = false;
    const putting = q.put(2).then(() => {
      second = true;
    });
    await settle();
    assert.equal(second, false);
    assert.equal(await q.get(), 1);
    await putting;
    assert.equal(q.size, 1);
    assert.equal(await q.get(), 2);
  });

  it('get waits while the queue is empty', async () => {
    const q = new Queue<string>();
    const getting = q.get();
    await q.put('a');
    assert.equal(await getting, 'a');
  });

  it('close() refuses waiting and later puts, lets consumers drain, then ends for await', async () => {
    const q = new Queue<number>(2);
    await q.put(1);
    await q.put(2);
    const blocked = q.put(3);
    q.close();
    await assert.rejects(blocked, QueueClosedError);
    await assert.rejects(q.put(4), QueueClosedError);
    assert.throws(() => q.tryPut(5), QueueClosedError);
    const drained: number[] = [];
    for await (const v of q) drained.push(v);
    assert.deepEqual(drained, [1, 2]);
    await assert.rejects(q.get(), QueueClosedError);
  });

  it('close() ends consumers that are waiting on an empty queue', async () => {
    const q = new Queue<number>();
    const waiting = q.get();
    const iterating = (async () => {
      const seen: number[] = [];
      for await (const v of q) seen.push(v);
      return seen;
    })();
    await settle();
    q.close();
    await assert.rejects(waiting, QueueClosedError);
    assert.deepEqual(await iterating, []);
  });

  it('an aborted get or put leaves the line and rejects with CancelledError, never throws', async () => {
    const q = new Queue<number>(1);
    const controller = new AbortController();
    const getting = q.get({ signal: controller.signal });
    controller.abort();
    await assert.rejects(getting, CancelledError);
    await q.put(1);
    assert.equal(await q.get(), 1, 'the aborted get took nothing');

    const already = AbortSignal.abort();
    const rejectedGet = q.get({ signal: already });
    const rejectedPut = q.put(2, { signal: already });
    assert.ok(rejectedGet instanceof Promise && rejectedPut instanceof Promise);
    await assert.rejects(rejectedGet, CancelledError);
    await assert.rejects(rejectedPut, CancelledError);
    assert.equal(q.size, 0);
  });

  it('tryPut adds only when there is room', () => {
    const q = new Queue<number>(1);
    assert.equal(q.tryPut(1), true);
    assert.equal(q.tryPut(2), false);
    assert.equal(q.size, 1);
  });

  it('rejects a capacity that is not a positive integer or Infinity', () => {
    for (const bad of [0, -2, 2.5]) assert.throws(() => new Queue(bad), RangeError);
  });

  it('property: FIFO across blocked producers, size never above capacity, close refuses only what was not accepted', async () => {
    const op = fc.oneof(
      { weight: 3, arbitrary: fc.constant('put' as const) },
      { weight: 3, arbitrary: fc.constant('get' as const) },
      { weight: 1, arbitrary: fc.constant('close' as const) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Number.POSITIVE_INFINITY)),
        fc.array(op, { maxLength: 40 }),
        async (capacity, ops) => {
          const q = new Queue<number>(capacity);
          const accepted: number[] = []; // puts that resolved, in resolution order
          const refused: number[] = [];
          const got: number[] = [];
          let endedGets = 0;
          let nextValue = 0;
          for (const kind of ops) {
            if (kind === 'put') {
              const value = nextValue++;
              q.put(value).then(
                () => accepted.push(value),
                (error: unknown) => {
                  assert.ok(error instanceof QueueClosedError);
                  refused.push(value);
                },
              );
            } else if (kind === 'get') {
              q.get().then(
                (value) => got.push(value),
                (error: unknown) => {
                  assert.ok(error instanceof QueueClosedError);
                  endedGets++;
                },
              );
            } else q.close();
            await settle();
            assert.ok(q.size <= capacity, `size ${q.size} above capacity ${capacity}`);
          }
          q.close();
          await settle();
          const rest: number[] = [];
          for await (const v of q) rest.push(v);
          // Values come out in the order they were put, and every accepted value comes out once.
          const out = [...got, ...rest];
          assert.deepEqual(
            out,
            [...out].sort((a, b) => a - b),
          );
          assert.deepEqual(
            [...out].sort((a, b) => a - b),
            [...accepted].sort((a, b) => a - b),
          );
          assert.deepEqual(
            [...accepted, ...refused].sort((a, b) => a - b),
            Array.from({ length: nextValue }, (_, i) => i),
          );
          // A get ends without a value only once the queue is closed and empty.
          assert.ok(endedGets === 0 || q.closed);
        },
      ),
      { numRuns: 150 },
    );
  });
});

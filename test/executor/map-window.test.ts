import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError } from '../../src/core/errors.js';
import { mapWindow } from '../../src/executor/map-window.js';
import { createExecutor, type ExecutorOptions, MODES } from '../../src/index.js';
import { Queue } from '../../src/primitives/queue.js';
import { collect } from '../conformance/suite.js';

const identity = (input: number) => Promise.resolve(input);

describe('mapWindow', () => {
  it('inputs that cannot be iterated are refused when map is called, in every mode, naming what they were', async () => {
    for (const mode of MODES.filter((m) => m !== 'distributed')) {
      await using ex = createExecutor({ mode } as ExecutorOptions);
      for (const [inputs, what] of [
        [42, 'number'],
        [null, 'null'],
        [{ length: 2 }, 'object'],
      ] as const) {
        const calls = [
          () => ex.map(identity, inputs as unknown as number[]),
          () => ex.mapSettled(identity, inputs as unknown as number[]),
        ];
        for (const call of calls) {
          assert.throws(
            call,
            (error: unknown) =>
              error instanceof TypeError &&
              error.message.includes('must be an Iterable or AsyncIterable') &&
              error.message.endsWith(`got ${what}`),
            `${mode} ${what}`,
          );
        }
      }
    }
  });

  it('never holds more than `window` inputs read but not yet yielded', async () => {
    let reads = 0;
    function* naturals() {
      for (;;) yield reads++;
    }
    const results = mapWindow(naturals(), identity, {
      window: 3,
      ordered: true,
      failFast: true,
      values: true,
    });
    for (let taken = 1; taken <= 10; taken++) {
      assert.equal((await results.next()).value, taken - 1);
      assert.ok(reads - taken <= 3, `read ${reads}, took ${taken}`);
    }
    await results.return?.();
  });

  it('a source that throws: what was started is yielded, then the error', async () => {
    function* failing() {
      yield 1;
      yield 2;
      throw new Error('source broke');
    }
    const seen: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (const v of mapWindow(failing(), identity, {
          window: 8,
          ordered: true,
          failFast: true,
          values: true,
        }))
          seen.push(v);
      })(),
      /source broke/,
    );
    assert.deepEqual(seen, [1, 2]);
  });

  it('breaking out while the source is blocked in next() returns at once, and closes the source once that read ends', async () => {
    const q = new Queue<number>();
    await q.put(1);
    let closed = false;
    async function* fromQueue() {
      try {
        for await (const v of q) yield v;
      } finally {
        closed = true;
      }
    }
    for await (const v of mapWindow(fromQueue(), identity, {
      window: 4,
      ordered: true,
      failFast: true,
      values: true,
    })) {
      assert.equal(v, 1);
      break; // the reader is now waiting on the empty queue
    }
    assert.equal(closed, false);
    q.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closed, true);
  });

  it('concurrent next() calls are answered in order, the extra ones with the end', async () => {
    const results = mapWindow([10, 20], identity, { window: 4, ordered: true, failFast: false });
    const [a, b, c] = await Promise.all([results.next(), results.next(), results.next()]);
    assert.deepEqual(
      [a.value, b.value, c.done],
      [{ index: 0, ok: true, value: 10 }, { index: 1, ok: true, value: 20 }, true],
    );
  });

  it('under a read-ahead limit keeps that many unsettled, reading on as they settle, yielded or not', async () => {
    // An ordered map whose first input is slow: the ones done after it wait to be yielded,
    // and take no part in what the limit bounds.
    let releaseFirst!: () => void;
    const first = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let unsettled = 0;
    let most = 0;
    let started = 0;
    const start = async (input: number) => {
      started++;
      most = Math.max(most, ++unsettled);
      if (input === 0) await first;
      else await new Promise((resolve) => setImmediate(resolve));
      unsettled--;
      return input;
    };
    const results = mapWindow(
      Array.from({ length: 10 }, (_, i) => i),
      start,
      {
        window: 8,
        ordered: true,
        failFast: true,
        values: true,
        readAhead: () => ({ limit: () => 2, lifted: new Promise(() => {}) }),
      },
    );
    const head = results.next();
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(started, 8, 'read on to the window while the first input was out');
    assert.equal(most, 2, 'never more than the limit unsettled');
    releaseFirst();
    assert.equal((await head).value, 0);
    assert.deepEqual(await collect(results), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(most, 2);
  });

  describe('reading: the inputs left to read, and the end of reading', () => {
    /** A map of `inputs` through a window of 2 that records what `reading` is told. */
    const watched = (inputs: Iterable<number> | AsyncIterable<number>) => {
      const seen = { unread: undefined as (() => number | undefined) | undefined, ends: 0 };
      const results = mapWindow(inputs, identity, {
        window: 2,
        ordered: true,
        failFast: true,
        values: true,
        reading: (unread) => {
          seen.unread = unread;
          return () => seen.ends++;
        },
      });
      return { results, seen };
    };

    it('counts down an array as it is read, and ends once when it is done', async () => {
      const { results, seen } = watched([1, 2, 3, 4, 5]);
      assert.equal((await results.next()).value, 1);
      // Two read at once (the window), a third once the first was yielded.
      assert.equal(seen.unread?.(), 2);
      assert.equal(seen.ends, 0);
      assert.deepEqual(await collect(results), [2, 3, 4, 5]);
      assert.equal(seen.unread?.(), 0);
      assert.equal(seen.ends, 1);
    });

    it('knows nothing of what an iterator has left until it ends', async () => {
      function* numbers() {
        yield* [1, 2, 3];
      }
      const { results, seen } = watched(numbers());
      assert.equal((await results.next()).value, 1);
      assert.equal(seen.unread?.(), undefined);
      await collect(results);
      assert.equal(seen.unread?.(), 0);
      assert.equal(seen.ends, 1);
    });

    it('ends reading once when the consumer breaks out, or the source fails', async () => {
      const left = watched([1, 2, 3, 4, 5]);
      for await (const value of left.results) if (value === 2) break;
      assert.equal(left.seen.ends, 1);
      assert.equal(left.seen.unread?.(), 0, 'nothing more will be read');
      async function* failing() {
        yield 1;
        throw new Error('source broke');
      }
      const broken = watched(failing());
      await assert.rejects(collect(broken.results), /source broke/);
      assert.equal(broken.seen.ends, 1);
    });
  });

  it('stopReading ends the map with its error once what was started is yielded', async () => {
    let stop: Error | undefined;
    const results = mapWindow([1, 2, 3, 4], identity, {
      window: 1,
      ordered: true,
      failFast: true,
      values: true,
      stopReading: () => stop,
    });
    assert.equal((await results.next()).value, 1);
    stop = new Error('closing');
    await assert.rejects(collect(results), /closing/);
  });

  it('its signals cancel the inputs in flight', async () => {
    const controller = new AbortController();
    const cancelled: unknown[] = [];
    const results = mapWindow(
      [1],
      (_input, _index, cancel) =>
        new Promise((_resolve, reject) => {
          (cancel as AbortController).signal.addEventListener('abort', () => {
            cancelled.push(cancel);
            reject(new CancelledError());
          });
        }),
      { window: 2, ordered: true, failFast: true, signals: [controller.signal] },
    );
    const next = results.next();
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await assert.rejects(next, CancelledError);
    assert.equal(cancelled.length, 1);
  });
});

/**
 * The conformance suite's tests of `map` and `mapSettled`: the order they yield in, inputs
 * read lazily from any iterable, the first failure ending a map and cancelling the tasks
 * still in flight, and a consumer that breaks out of `for await`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskError } from '../../src/index.js';
import type { Outcome } from '../fixtures/jobs.js';
import {
  type ConformanceContext,
  collect,
  collectReleasing,
  double,
  eventually,
  FOREVER,
  isTaskErrorFor,
  jobs,
  markerText,
  pause,
  READ_AHEAD_LIMIT,
} from './context.js';

export function describeMap(context: ConformanceContext): void {
  const { onlyConcurrent, open, marker } = context;

  describe('map and mapSettled', () => {
    it('map yields outputs in input order even when later inputs finish first', async (t) => {
      const ex = await open(t, { concurrency: 5 });
      const inputs = [250, 200, 150, 100, 0].map((ms, value) => ({ value, ms }));
      assert.deepEqual(await collect(ex.map(jobs.outcome, inputs)), [0, 1, 2, 3, 4]);
      const many = Array.from({ length: 200 }, (_, i) => i);
      assert.deepEqual(await collect(ex.map(jobs.echo, many)), many);
    });

    it('map with ordered: false yields in completion order', onlyConcurrent, async (t) => {
      const ex = await open(t, { concurrency: 2 });
      // Input 0 ends only once input 1 has been yielded (or, if the map waits for input
      // 0 first, after a long pause): no race with how fast a second worker starts.
      const release = marker();
      const inputs = [
        { value: 0, after: [release] },
        { value: 1, ms: 0 },
      ];
      const yielded = await collectReleasing(
        ex.map(jobs.outcome, inputs, { ordered: false }),
        release,
        (value) => value === 1,
      );
      assert.deepEqual(yielded, [1, 0]);
    });

    it('map reads an async iterable', async (t) => {
      const ex = await open(t);
      async function* numbers() {
        for (let i = 0; i < 10; i++) yield i;
      }
      assert.deepEqual(
        await collect(ex.map(double, numbers())),
        [0, 2, 4, 6, 8, 10, 12, 14, 16, 18],
      );
    });

    it('map over no inputs yields nothing', async (t) => {
      const ex = await open(t);
      assert.deepEqual(await collect(ex.map(jobs.echo, [])), []);
      assert.deepEqual(await collect(ex.mapSettled(jobs.echo, [])), []);
    });

    it('mapSettled yields every index exactly once: values for successes, TaskError for failures', async (t) => {
      const ex = await open(t, { concurrency: 4 });
      const inputs: Outcome[] = Array.from({ length: 30 }, (_, value) => ({
        value,
        fail: value % 3 === 0,
        ms: (value * 7) % 11,
      }));
      const settled = await collect(ex.mapSettled(jobs.outcome, inputs));
      assert.deepEqual(
        settled.map((s) => s.index).sort((a, b) => a - b),
        inputs.map((_, i) => i),
      );
      for (const s of settled) {
        if (inputs[s.index]!.fail) {
          assert.ok(!s.ok && s.error instanceof TaskError, `index ${s.index} should fail`);
          assert.match(s.error.message, new RegExp(`input ${s.index} failed`));
        } else {
          assert.deepEqual(s, { index: s.index, ok: true, value: s.index });
        }
      }
    });

    it('mapSettled yields in completion order', onlyConcurrent, async (t) => {
      const ex = await open(t, { concurrency: 2 });
      const release = marker();
      const inputs = [
        { value: 0, after: [release] },
        { value: 1, ms: 0, fail: true },
      ];
      const settled = await collectReleasing(
        ex.mapSettled(jobs.outcome, inputs),
        release,
        (s) => s.index === 1,
      );
      assert.deepEqual(
        settled.map((s) => [s.index, s.ok]),
        [
          [1, false],
          [0, true],
        ],
      );
    });

    it(
      'map rejects with the first failure in time, not the first in input order',
      onlyConcurrent,
      async (t) => {
        const ex = await open(t, { concurrency: 2 });
        for (const ordered of [true, false]) {
          // Input 0 fails a second after input 1 has started (and failed at once), however
          // long the second worker takes to come up.
          const started = marker();
          const inputs = [
            { value: 0, ms: 1_000, fail: true, after: [started] },
            { value: 1, fail: true, started },
          ];
          // One input a chunk: input 0 waits for input 1 to start, which a chunk holding
          // both would start only after it (the second round's chunks are sized by the
          // first round's task times).
          await assert.rejects(
            collect(ex.map(jobs.outcome, inputs, { ordered, chunkSize: 1 })),
            (error) => isTaskErrorFor(error, 1),
          );
        }
      },
    );

    it(
      'a failing map aborts the signals of the tasks still in flight',
      onlyConcurrent,
      async (t) => {
        const ex = await open(t, { concurrency: 3 });
        const started = [marker(), marker()];
        const aborted = [marker(), marker()];
        // Input 1 fails only once the other two run: they are in flight, not queued.
        const inputs = [
          { value: 0, ms: FOREVER, started: started[0], aborted: aborted[0] },
          { value: 1, fail: true, after: started },
          { value: 2, ms: FOREVER, started: started[1], aborted: aborted[1] },
        ];
        await assert.rejects(collect(ex.map(jobs.outcome, inputs)), (error) =>
          isTaskErrorFor(error, 1),
        );
        for (const file of aborted) assert.equal(await markerText(file), 'AbortError');
        await eventually(() => ex.stats().running === 0, 'no task left running');
      },
    );

    it('breaking out of for await cancels the tasks still in flight', async (t) => {
      const ex = await open(t, { concurrency: 2 });
      const started = marker();
      const aborted = marker();
      let reads = 0;
      function* inputs(): Generator<Outcome> {
        reads++;
        yield { value: 0 };
        reads++;
        yield { value: 1, ms: FOREVER, started, aborted };
        for (;;) {
          reads++;
          yield { value: reads, ms: FOREVER };
        }
      }
      for await (const value of ex.map(jobs.outcome, inputs())) {
        assert.equal(value, 0);
        await markerText(started);
        break;
      }
      assert.equal(await markerText(aborted), 'AbortError');
      await eventually(() => ex.stats().running === 0, 'no task left running');
      const readsAfterBreak = reads;
      await pause(100);
      assert.equal(reads, readsAfterBreak, 'no input is read after the loop broke');
    });

    it('map reads an endless generator lazily and holds reading back for a slow consumer', async (t) => {
      const ex = await open(t, { concurrency: 4 });
      let reads = 0;
      function* naturals(): Generator<number> {
        for (;;) yield reads++;
      }
      const taken: unknown[] = [];
      for await (const value of ex.map(jobs.echo, naturals())) {
        taken.push(value);
        assert.ok(
          reads - taken.length <= READ_AHEAD_LIMIT,
          `read ${reads} inputs, yielded ${taken.length}`,
        );
        await pause(2);
        if (taken.length === 50) break;
      }
      assert.deepEqual(
        taken,
        Array.from({ length: 50 }, (_, i) => i),
      );
      const readsAfterBreak = reads;
      await pause(100);
      assert.equal(reads, readsAfterBreak, 'no input is read after the loop broke');
    });

    it('map and mapSettled check their inputs at the call', async (t) => {
      const ex = await open(t);
      assert.throws(() => ex.map(jobs.echo, 42 as never), TypeError);
      assert.throws(() => ex.mapSettled(jobs.echo, null as never), TypeError);
    });
  });
}

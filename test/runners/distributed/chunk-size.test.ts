import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ChunkSizer,
  SPREAD,
  spreadOver,
  TARGET_JOB_MS,
} from '../../../src/runners/distributed/chunk-size.js';
import { MAX_CHUNK } from '../../../src/runners/distributed/protocol.js';

const TASK = 'file:///jobs.js#square';

/** The sizes a first burst of `waiting` inputs is cut into, as the runner cuts them. */
function cut(sizer: ChunkSizer, waiting: number, workers: number): number[] {
  const sizes: number[] = [];
  for (let left = waiting; left > 0; ) {
    const size = sizer.next(TASK, left, sizes.length, workers);
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

describe('ChunkSizer: how many inputs go into one BullMQ job', () => {
  it('always hands out between 1 and the inputs waiting, never more than a job may carry', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.nat(40),
        fc.nat(100),
        fc.option(fc.double({ min: 0, max: 1_000, noNaN: true }), { nil: undefined }),
        (waiting, jobsOut, workers, msPerInput) => {
          const sizer = new ChunkSizer();
          if (msPerInput !== undefined) sizer.observe(TASK, msPerInput * 10, 10);
          const size = sizer.next(TASK, waiting, jobsOut, workers);
          assert.ok(Number.isInteger(size) && size >= 1, `${size}`);
          assert.ok(size <= Math.min(waiting, MAX_CHUNK), `${size} of ${waiting}`);
        },
      ),
    );
  });

  it('splits a first burst so that every worker process gets a share (8 jobs while none are known)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50_000 }), fc.nat(100), (waiting, workers) => {
        const sizes = cut(new ChunkSizer(), waiting, workers);
        const spread = spreadOver(workers);
        assert.equal(
          sizes.reduce((a, b) => a + b, 0),
          waiting,
        );
        assert.ok(spread >= SPREAD && spread >= 2 * workers, `${spread} for ${workers}`);
        assert.ok(sizes.length >= Math.min(waiting, spread), `${sizes.length} jobs`);
        assert.ok(sizes.length <= spread + Math.ceil(waiting / MAX_CHUNK), `${sizes.length} jobs`);
      }),
    );
  });

  it('once a task’s time is measured, a job carries about TARGET_JOB_MS of it', () => {
    const sizer = new ChunkSizer();
    sizer.observe(TASK, 100, 200); // 0.5 ms per input
    assert.equal(sizer.next(TASK, 10_000, SPREAD, 2), TARGET_JOB_MS / 0.5);
    assert.equal(sizer.next('file:///jobs.js#other', 10_000, SPREAD, 2), MAX_CHUNK, 'per task');
    const slow = new ChunkSizer();
    slow.observe(TASK, 200, 2); // 100 ms per input: more than a job's worth on its own
    assert.equal(slow.next(TASK, 10_000, SPREAD, 2), 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChunkSizer, SPREAD, TARGET_JOB_MS } from '../../src/distributed/chunk-size.js';
import { MAX_CHUNK } from '../../src/distributed/protocol.js';

const TASK = 'file:///jobs.js#square';

/** The sizes one flush of `waiting` inputs is cut into, as the runner cuts them. */
function cut(sizer: ChunkSizer, waiting: number, jobsOut = 0): number[] {
  const sizes: number[] = [];
  for (let left = waiting; left > 0; ) {
    const size = sizer.next(TASK, left, jobsOut + sizes.length);
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
        fc.option(fc.double({ min: 0, max: 1_000, noNaN: true }), { nil: undefined }),
        (waiting, jobsOut, msPerInput) => {
          const sizer = new ChunkSizer();
          if (msPerInput !== undefined) sizer.observe(TASK, msPerInput * 10, 10);
          const size = sizer.next(TASK, waiting, jobsOut);
          assert.ok(Number.isInteger(size) && size >= 1, `${size}`);
          assert.ok(size <= Math.min(waiting, MAX_CHUNK), `${size} of ${waiting}`);
        },
      ),
    );
  });

  it('splits a first burst so that a cluster of up to SPREAD workers each gets a share', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50_000 }), (waiting) => {
        const sizes = cut(new ChunkSizer(), waiting);
        assert.equal(
          sizes.reduce((a, b) => a + b, 0),
          waiting,
        );
        assert.equal(sizes.length >= Math.min(waiting, SPREAD), true, `${sizes.length} jobs`);
        assert.ok(sizes.length <= SPREAD + Math.ceil(waiting / MAX_CHUNK), `${sizes.length} jobs`);
      }),
    );
  });

  it('once a task’s time is measured, a job carries about TARGET_JOB_MS of it', () => {
    const sizer = new ChunkSizer();
    sizer.observe(TASK, 100, 200); // 0.5 ms per input
    assert.equal(sizer.next(TASK, 10_000, SPREAD), TARGET_JOB_MS / 0.5);
    assert.equal(sizer.next('file:///jobs.js#other', 10_000, SPREAD), MAX_CHUNK, 'per task');
    const slow = new ChunkSizer();
    slow.observe(TASK, 200, 2); // 100 ms per input: more than a job's worth on its own
    assert.equal(slow.next(TASK, 10_000, SPREAD), 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Room } from '../../src/primitives/room.js';

/** Whether `promise` has settled, after letting pending reactions run. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('Room', () => {
  it('ready() resolves at once exactly when fewer than the limit wait or a place is free', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 60 }),
        fc.boolean(),
        async (limit, waiting, free) => {
          const room = new Room(
            () => waiting,
            limit,
            () => free,
          );
          assert.equal(room.hasRoom(), free || waiting < limit);
          assert.equal(await settled(room.ready()), free || waiting < limit);
        },
      ),
    );
  });

  it('a waiting ready() is woken by check() only once the queue has drained to half the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 20 }),
        async (limit, shrinks) => {
          let waiting = limit;
          const room = new Room(() => waiting, limit);
          const ready = room.ready();
          let open = false;
          for (const size of shrinks) {
            waiting = size;
            room.check();
            open ||= size <= Math.floor(limit / 2);
            assert.equal(await settled(ready), open, `limit ${limit}, waiting ${size}`);
          }
        },
      ),
    );
  });

  it('a free place wakes a waiting ready() whatever waits', async () => {
    let free = false;
    const room = new Room(
      () => 10,
      10,
      () => free,
    );
    const ready = room.ready();
    room.check();
    assert.equal(await settled(ready), false);
    free = true;
    room.check();
    assert.equal(await settled(ready), true);
  });

  it('callers waiting at once share one promise', () => {
    const room = new Room(() => 5, 5);
    assert.equal(room.ready(), room.ready());
  });
});

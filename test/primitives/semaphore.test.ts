import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CancelledError } from '../../src/core/errors.js';
import { type Release, Semaphore } from '../../src/primitives/semaphore.js';

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('grants up to its permits at once and makes the rest wait', async () => {
    const sem = new Semaphore(2);
    const first = await sem.acquire();
    await sem.acquire();
    let third: Release | undefined;
    void sem.acquire().then((release) => {
      third = release;
    });
    await settle();
    assert.equal(third, undefined);
    assert.equal(sem.waiting, 1);
    first();
    await settle();
    assert.equal(typeof third, 'function');
    assert.equal(sem.available, 0);
  });

  it('a release function gives its permit back only once', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    release();
    release();
    assert.equal(sem.available, 1);
  });

  it('run() releases its permit however the function ends', async () => {
    const sem = new Semaphore(1);
    assert.equal(await sem.run(() => 42), 42);
    await assert.rejects(
      sem.run(() => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(sem.available, 1);
  });

  it('an already aborted signal rejects with CancelledError instead of throwing', async () => {
    const sem = new Semaphore(1);
    const pending = sem.acquire({ signal: AbortSignal.abort() });
    assert.ok(pending instanceof Promise);
    await assert.rejects(pending, CancelledError);
    assert.equal(sem.available, 1);
  });

  it('tryAcquire() takes a free permit but never jumps the line', async () => {
    const sem = new Semaphore(1);
    const release = sem.tryAcquire();
    assert.ok(release);
    assert.equal(sem.tryAcquire(), undefined);
    const waiter = sem.acquire();
    release();
    assert.equal(sem.tryAcquire(), undefined, 'the permit went to the waiter');
    (await waiter)();
    assert.equal(sem.available, 1);
  });

  it('rejects permits that are not a positive integer or Infinity', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new Semaphore(bad), RangeError);
    assert.equal(new Semaphore(Number.POSITIVE_INFINITY).available, Number.POSITIVE_INFINITY);
  });

  it('property: never more holders than permits, FIFO grants, and aborted waiters leave the line', async () => {
    const op = fc.oneof(
      fc.constant({ kind: 'acquire' as const, pick: 0 }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { maxLength: 40 }),
        async (permits, ops) => {
          const sem = new Semaphore(permits);
          const holders: { id: number; release: Release }[] = [];
          const waiting: { id: number; controller: AbortController }[] = [];
          const granted: number[] = [];
          const arrivals: number[] = [];
          const aborted = new Set<number>();
          let nextId = 0;

          const check = () => {
            assert.ok(holders.length <= permits, `${holders.length} holders of ${permits} permits`);
            assert.equal(sem.waiting, waiting.length);
            assert.equal(sem.available, permits - holders.length);
            // Nobody waits while a permit is free.
            assert.ok(waiting.length === 0 || sem.available === 0);
          };

          const acquire = () => {
            const id = nextId++;
            const controller = new AbortController();
            arrivals.push(id);
            waiting.push({ id, controller });
            sem.acquire({ signal: controller.signal }).then(
              (release) => {
                waiting.splice(
                  waiting.findIndex((w) => w.id === id),
                  1,
                );
                holders.push({ id, release });
                granted.push(id);
              },
              (error: unknown) => {
                assert.ok(error instanceof CancelledError);
                assert.ok(aborted.has(id), `waiter ${id} was rejected without being aborted`);
                waiting.splice(
                  waiting.findIndex((w) => w.id === id),
                  1,
                );
              },
            );
          };

          for (const { kind, pick } of ops) {
            if (kind === 'acquire') acquire();
            else if (kind === 'release' && holders.length > 0) {
              holders.splice(pick % holders.length, 1)[0]!.release();
            } else if (kind === 'abort' && waiting.length > 0) {
              const waiter = waiting[pick % waiting.length]!;
              aborted.add(waiter.id);
              waiter.controller.abort();
            }
            await settle();
            check();
          }
          // Drain: every waiter left in line is served, in arrival order.
          while (holders.length > 0) {
            holders.shift()!.release();
            await settle();
            check();
          }
          assert.equal(sem.available, permits);
          assert.deepEqual(
            granted,
            arrivals.filter((id) => !aborted.has(id)),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});

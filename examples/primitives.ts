// The README's cooperative primitives, runnable: `node --import tsx examples/primitives.ts`.
import { Queue, Semaphore, sleep, TimeoutError, taskGroup, withTimeout } from 'switchyard';

// Semaphore: at most 2 of these run at once.
const sem = new Semaphore(2);
let running = 0;
let most = 0;
await Promise.all(
  [1, 2, 3, 4, 5].map((n) =>
    sem.run(async () => {
      most = Math.max(most, ++running);
      await sleep(10);
      running--;
      return n;
    }),
  ),
);
console.log(`semaphore: at most ${most} at once`);

// Queue: put waits while the queue is full (backpressure); for await drains it after close().
const q = new Queue<number>(2);
const producer = (async () => {
  for (let i = 0; i < 5; i++) await q.put(i);
  q.close();
})();
const received: number[] = [];
for await (const item of q) received.push(item);
await producer;
console.log(`queue: received ${received.join(' ')}`);

// taskGroup: structured concurrency — the first failure cancels the siblings' signal.
const outcome = await taskGroup(async (g) => {
  g.spawn((signal) => sleep(10_000, { signal }));
  g.spawn(async () => {
    await sleep(10);
    throw new Error('one task failed');
  });
}).catch((error: Error) => error.message);
console.log(`taskGroup: ${outcome}`);

// withTimeout: the work gets a signal that fires at the deadline.
const late = await withTimeout((signal) => sleep(10_000, { signal }), 20).catch(
  (error: unknown) => error instanceof TimeoutError,
);
console.log(`withTimeout: timed out = ${late}`);

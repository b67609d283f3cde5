/**
 * Every contender of `bench:parallel` behind one shape: `await open(name, workers)` gives
 * `{ run(request), close() }`, where a request is `{ job: 'cpu' | 'tiny', arg }`. Kept in
 * plain JavaScript so that cold-start and memory probes run in a bare `node`.
 */
import { Worker } from 'node:worker_threads';

const here = (path) => new URL(path, import.meta.url);
const jobs = here('./jobs.mjs');

export async function open(name, workers) {
  switch (name) {
    case 'threads':
    case 'processes': {
      const { createExecutor, task } = await import('../../dist/index.js');
      const ex = createExecutor({ mode: name, workers });
      const run = task(jobs, 'run');
      return {
        run: (request) => ex.submit(run, request),
        map: (requests) => ex.map(run, requests),
        close: () => ex.close(),
      };
    }
    case 'piscina': {
      const { Piscina } = await import('piscina');
      const pool = new Piscina({ filename: jobs.href, minThreads: workers, maxThreads: workers });
      return { run: (request) => pool.run(request), close: () => pool.destroy() };
    }
    case 'tinypool': {
      const { Tinypool } = await import('tinypool');
      const pool = new Tinypool({ filename: jobs.href, minThreads: workers, maxThreads: workers });
      return { run: (request) => pool.run(request), close: () => pool.destroy() };
    }
    case 'workerpool': {
      const workerpool = (await import('workerpool')).default;
      const pool = workerpool.pool(here('./workerpool-worker.mjs').pathname, {
        maxWorkers: workers,
        minWorkers: workers,
        workerType: 'thread',
      });
      return { run: (request) => pool.exec('run', [request]), close: () => pool.terminate() };
    }
    case 'poolifier': {
      const { FixedThreadPool } = await import('poolifier');
      const pool = new FixedThreadPool(workers, here('./poolifier-worker.mjs').pathname);
      return { run: (request) => pool.execute(request), close: () => pool.destroy() };
    }
    case 'hand-rolled':
      return handRolled(workers);
    default:
      throw new Error(`unknown contender ${name}`);
  }
}

/** What a careful user writes by hand: round-robin workers, requests batched per tick. */
function handRolled(workers) {
  const pending = new Map();
  const outboxes = Array.from({ length: workers }, () => []);
  const threads = Array.from({ length: workers }, () => {
    const worker = new Worker(here('./hand-worker.mjs'));
    worker.on('message', (batch) => {
      for (const [id, value] of batch) {
        pending.get(id)(value);
        pending.delete(id);
      }
    });
    return worker;
  });
  let next = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    outboxes.forEach((box, i) => {
      if (box.length > 0) threads[i].postMessage(box.splice(0));
    });
  };
  return {
    run(request) {
      const id = next++;
      outboxes[id % workers].push([id, request]);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
      return new Promise((resolve) => pending.set(id, resolve));
    },
    close: () => Promise.all(threads.map((t) => t.terminate())),
  };
}

// The hand-rolled baseline: a worker that answers each batch of requests with a batch of results.
import { parentPort } from 'node:worker_threads';
import { run } from './jobs.mjs';

parentPort.on('message', (batch) => {
  parentPort.postMessage(batch.map(([id, request]) => [id, run(request)]));
});

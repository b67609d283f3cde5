/**
 * The servers `bench/auto.ts` measures against, in a process of their own so that they
 * never share an event loop with the work being measured. One HTTP server, two routes:
 *
 * - `/capacity`: answers after 30 ms, at most 32 requests at a time; the rest wait their
 *   turn (a web service with limited capacity);
 * - `/query`: answers after 5 ms, any number at a time (a database; the client side keeps
 *   a pool of connections, see `workloads.mjs`).
 *
 * Prints `{"url":"http://127.0.0.1:PORT"}` once listening; stops on SIGTERM.
 */
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const CAPACITY = 32;
const CAPACITY_MS = 30;
const QUERY_MS = 5;

let busy = 0;
const waiting = [];

async function withCapacity(work) {
  if (busy >= CAPACITY) await new Promise((resolve) => waiting.push(resolve));
  else busy++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else busy--;
  }
}

const server = createServer(async (request, response) => {
  if (request.url === '/capacity') await withCapacity(() => sleep(CAPACITY_MS));
  else if (request.url === '/query') await sleep(QUERY_MS);
  else {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
});
server.keepAliveTimeout = 60_000;
server.maxConnections = 10_000;
server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

/**
 * The workloads of `npm run bench:auto`: real work of each kind `auto` must tell apart,
 * written as users write it. Each takes `{ n }` and returns `n` (or `{ n, … }`), so
 * results can be checked. Plain JavaScript, so that worker threads and processes load
 * them without a TypeScript loader and the benchmark measures the modes.
 *
 * Two come from the environment the benchmark sets up: `BENCH_SERVER`, the URL of the
 * servers in `servers.mjs`, and `BENCH_FILES`, a directory of small files.
 *
 * Each workload stands for a program of its own, so what one needs (an HTTP client, a
 * buffer to hash) is made on its first call, by it alone: set up at import, it would cost
 * every workload 0.2 s in each thread that loads this module — more for the modes that load
 * it twice, on the calling thread and in each worker (`auto`) — for nothing it uses.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

/** Iterations of {@link compute} in about a millisecond on the 2-CPU development machine. */
const ITERATIONS_PER_MS = 700_000;

/** A fixed amount of arithmetic: CPU time that preemption can stretch but not shorten. */
function compute(ms) {
  let x = 1;
  const iterations = ms * ITERATIONS_PER_MS;
  for (let i = 0; i < iterations; i++) x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
  return x;
}

/** Text that compresses like a log file: words from a small vocabulary, pseudo-random. */
function text(bytes) {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'request', 'ok', 'error', '200', 'GET'];
  let out = '';
  let seed = 7;
  while (out.length < bytes) {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    out += `${words[seed % words.length]}${seed % 13 === 0 ? '\n' : ' '}`;
  }
  return out.slice(0, bytes);
}

let hashed;
let compressed;
const gzipAsync = promisify(gzip);

/** Native hashing, synchronous: SHA-256 of 1 MB (~1 ms). */
export function hash({ n }) {
  hashed ??= Buffer.from(text(1024 * 1024));
  createHash('sha256').update(hashed).digest('hex');
  return n;
}

/** JSON: builds a record of ~100 fields, stringifies and parses it (~0.2 ms). */
export function json({ n }) {
  const record = {};
  for (let i = 0; i < 100; i++)
    record[`field${i}`] = { id: n + i, name: `item ${i}`, tags: ['a', 'b', i] };
  return JSON.parse(JSON.stringify(record)).field0.id;
}

/** An HTTP GET to a server that takes 30 ms and serves 32 requests at a time. */
export async function http({ n }) {
  const response = await fetch(`${process.env.BENCH_SERVER}/capacity`);
  await response.text();
  return n;
}

/** Heavy-tailed CPU: 0.5 ms, and one input in 20 takes 40 ms. */
export function heavyTail({ n }) {
  compute(n % 20 === 7 ? 40 : 0.5);
  return n;
}

/** Waits 8 ms, then computes 4 ms. */
export async function waitCompute({ n }) {
  await sleep(8);
  compute(4);
  return n;
}

/** gzip of 64 KB with the asynchronous API: the work runs on libuv's 4 threads. */
export async function zlib({ n }) {
  compressed ??= Buffer.from(text(64 * 1024));
  await gzipAsync(compressed);
  return n;
}

/** 256 KB to hash, made once per thread on first use. */
let digested;

/**
 * SHA-256 of 256 KB with WebCrypto: the hashing runs on libuv's threads, the copy of the
 * data into the request on the calling thread — both compete for the same CPUs.
 */
export async function digest({ n }) {
  digested ??= new Uint8Array(256 * 1024).map((_, i) => (i * 31) & 255);
  await crypto.subtle.digest('SHA-256', digested);
  return n;
}

/** Reads one of a thousand 4 KB files (libuv's threads again). */
export async function fsRead({ n }) {
  await readFile(join(process.env.BENCH_FILES, `${n % 1000}.txt`));
  return n;
}

/** Waits 5–80 ms on a timer, the same for the same `n`. */
export async function timers({ n }) {
  await sleep(5 + ((n * 7_919) % 76));
  return n;
}

/** Waits 5 ms, then computes about 0.15 ms: a handler that parses what it waited for. */
export async function waitBrief({ n }) {
  await sleep(5);
  compute(0.15);
  return n;
}

/**
 * A call to a slow API: the reply comes after 20–200 ms (the same for the same `n`) and is
 * parsed for about 0.5 ms — a client that computes a little after each long wait, which
 * saturates the calling thread only at a few hundred in flight.
 */
export async function apiReplies({ n }) {
  await sleep(20 + ((n * 7_919) % 181));
  compute(0.5);
  return n;
}

/**
 * Waits 5–15 ms, as a call to a cache or another service does; the benchmark submits every
 * one of them at once instead of mapping over them (see `bench/auto.ts`).
 */
export async function burst({ n }) {
  await sleep(5 + (n % 11));
  return n;
}

/**
 * Heavy-tailed waits, as response times often are: a Pareto distribution (shape 1.5) from
 * 5 ms, the slowest of a thousand about 0.8 s; the same for the same `n`.
 */
export async function paretoWaits({ n }) {
  const u = (((n * 7_919) % 1_000) + 0.5) / 1_000;
  await sleep(5 / u ** (1 / 1.5));
  return n;
}

/** A database query through a client pool of 8 connections; the server takes 5 ms. */
let pool;
export async function db({ n }) {
  // One pool for every call, though the first calls all wait for the import together.
  pool ??= import('undici').then(
    ({ Pool }) => new Pool(process.env.BENCH_SERVER, { connections: 8 }),
  );
  const { body } = await (await pool).request({ path: '/query', method: 'GET' });
  await body.text();
  return n;
}

/** CPU on a large input: a checksum over the 256 KB string it is given (~1 ms). */
export function bigInput({ n, data }) {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum = (sum + data.charCodeAt(i) * (i & 7)) >>> 0;
  return sum >= 0 ? n : -1;
}

/** A map that changes phase: the first `half` inputs wait 20 ms, the rest compute 5 ms. */
export async function phase({ n, half }) {
  if (n < half) await sleep(20);
  else compute(5);
  return n;
}

/** A reply that takes 100 ms, and nothing else: a few hundred of them are one wave at most. */
export async function slowReplies({ n }) {
  await sleep(100);
  return n;
}

/** Waits 50 ms, then computes 20 ms: a page fetched, then parsed at length. */
export async function fetchThenParse({ n }) {
  await sleep(50);
  compute(20);
  return n;
}

/** Computes 10 ms, then waits 10 ms. */
export async function mixed({ n }) {
  compute(10);
  await sleep(10);
  return n;
}

/** About 10 µs of arithmetic. */
export function tiny({ n }) {
  compute(0.01);
  return n;
}

/** About 100 µs of arithmetic. */
export function short({ n }) {
  compute(0.1);
  return n;
}

/** A few long tasks: about 250 ms of arithmetic each. */
export function fewLong({ n }) {
  compute(250);
  return n;
}

/** An `async` function that computes about 1 ms after a resolved await (no real wait). */
export async function asyncCpu({ n }) {
  await Promise.resolve();
  compute(1);
  return n;
}

/** A page rendered: about 1 ms of arithmetic, then a 128 KB result that must be copied back. */
export function render({ n }) {
  const x = compute(1);
  return { n, page: `${'<p>row</p>'.repeat(13_107)}${x}` };
}

const BLOCKED = new Int32Array(new SharedArrayBuffer(4));

/**
 * A synchronous call that blocks the thread for 2 ms without computing, as `readFileSync`,
 * `execFileSync` or a blocking database driver does: no other task runs meanwhile.
 */
export function blocking({ n }) {
  Atomics.wait(BLOCKED, 0, 0, 2);
  return n;
}

/**
 * A 4 MB buffer held through a 30 ms wait, as a download into memory is: filling it costs
 * about a millisecond, and the garbage collector's pauses make throughput swing.
 */
export async function bufferWait({ n }) {
  const buffer = Buffer.alloc(4 * 1024 * 1024, 1);
  await sleep(30);
  return buffer[n % 1024] === 1 ? n : -1;
}

/** The table {@link lazyInit} builds on its first call, in each thread that runs it. */
let table;

/**
 * A lazy initialisation, as a client, a model or a cache is often set up: the first call
 * builds a table (300 ms of arithmetic), and every call waits 5 ms, then looks it up.
 */
export async function lazyInit({ n }) {
  table ??= Int32Array.from({ length: 1024 }, (_, i) => compute(300 / 1024) + i);
  await sleep(5);
  return table[n % 1024] === undefined ? -1 : n;
}

/** CPU work that yields to the event loop ten times (0.3 ms of arithmetic between). */
export async function yielding({ n }) {
  for (let i = 0; i < 10; i++) {
    compute(0.3);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return n;
}

/**
 * The `distributed` mode needs workers on the other end of the queue. For the bench, one
 * `switchyard worker` process on this machine plays the cluster: a separate process, as a
 * remote machine would be, running the bench's job modules on its own thread pool.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBullmq, loadIoredis } from '../core/peers.js';
import { lastLine } from './session.js';

/** What the local worker is started with; names follow `switchyard worker`'s flags. */
export interface LocalWorkerOptions {
  readonly connection: string;
  readonly queue: string;
  /** Module URLs whose exports the worker may run. */
  readonly tasks: readonly string[];
  readonly workers?: number | undefined;
  readonly tasksPerWorker?: number | undefined;
}

/** A running local worker. */
export interface LocalWorker {
  /** Rejects if the worker process ends before {@link LocalWorker.stop}, with what it said. */
  readonly failed: Promise<never>;
  /** Stops it gracefully (SIGTERM), or for good after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

// The CLI entry point next to this module: main.ts under tsx, main.js once built.
const CLI = fileURLToPath(
  new URL(`../cli/main${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/** Starts `switchyard worker` in a child process. */
export function startLocalWorker(options: LocalWorkerOptions): LocalWorker {
  const args = [
    ...process.execArgv,
    CLI,
    'worker',
    '--connection',
    options.connection,
    '--queue',
    options.queue,
    '--tasks',
    ...options.tasks,
  ];
  if (options.workers !== undefined) args.push('--workers', String(options.workers));
  if (options.tasksPerWorker !== undefined) {
    args.push('--tasks-per-worker', String(options.tasksPerWorker));
  }
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    said = (said + chunk).slice(-2_000);
  });
  let stopping = false;
  const failed = new Promise<never>((_, reject) => {
    const fail = (why: string) => {
      if (!stopping) reject(new Error(`the local switchyard worker ${why}: ${lastLine(said)}`));
    };
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`})`));
  });
  failed.catch(() => {}); // observed by whoever races it; never an unhandled rejection
  return {
    failed,
    async stop(graceMs = 5_000) {
      stopping = true;
      await stopChild(child, graceMs);
    },
  };
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Deletes the bench's own queue and everything BullMQ kept for it, so no litter stays in Redis. */
export async function removeQueue(connection: string, queue: string): Promise<void> {
  const [{ Queue }, { Redis }] = await Promise.all([loadBullmq(), loadIoredis()]);
  const redis = new Redis(connection, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', () => {}); // a failure surfaces as the rejection below
  const q = new Queue(queue, { connection: redis });
  q.on('error', () => {}); // likewise: unheard, BullMQ prints the client's stack trace
  try {
    await q.obliterate({ force: true });
  } finally {
    await q.close();
    redis.disconnect();
  }
}

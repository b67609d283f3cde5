/**
 * Spawns real `switchyard worker` processes (the CLI, through tsx) for the distributed
 * tests, and waits until each says it is serving.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type RedisOptions, type RedisServer, startRedis } from './redis.js';

export const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** The task module the distributed tests' workers serve. */
export const JOBS_MODULE = new URL('../fixtures/distributed/jobs.ts', import.meta.url);
/** The name it travels by: this package's name and its path inside the package. */
export const JOBS_MODULE_NAME = 'switchyard/test/fixtures/distributed/jobs.ts';

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Everything it wrote to stdout so far. */
  stdout(): string;
  /** Resolves with its exit code and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL (if still running) and wait for the exit. */
  kill(): Promise<void>;
}

/**
 * Runs `switchyard worker --connection URL --tasks <tasks, by default the jobs fixture> …extra`
 * (with `connectionFromEnv`, the URL is given as `SWITCHYARD_REDIS_URL` instead). Resolves once
 * it serves (or rejects with its stderr if it exits first, unless `expectExit`).
 */
export async function spawnWorker(
  connection: string,
  extra: readonly string[] = [],
  { expectExit = false, tasks = [fileURLToPath(JOBS_MODULE)], connectionFromEnv = false } = {},
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      CLI,
      'worker',
      ...(connectionFromEnv ? [] : ['--connection', connection]),
      '--tasks',
      ...tasks,
      ...extra,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: connectionFromEnv ? { ...process.env, SWITCHYARD_REDIS_URL: connection } : process.env,
    },
  );
  let err = '';
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const serving = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes(': serving ')) resolve();
    });
    exited.then(({ code, signal }) =>
      expectExit ? resolve() : reject(new Error(`worker exited (${code ?? signal}):\n${err}`)),
    );
  });
  await serving;
  return {
    child,
    stderr: () => err,
    stdout: () => out,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** One worker of {@link startCluster}: its extra arguments, and its task modules if not the jobs fixture. */
export interface WorkerSpec {
  readonly args?: readonly string[];
  readonly tasks?: readonly string[];
}

/**
 * A throwaway Redis and one `switchyard worker` per spec, all stopped when the test ends.
 *
 * @example
 * const { redis, workers } = await startCluster(t, [{ args: ['--workers', '2'] }, {}]);
 */
export async function startCluster(
  t: { after(fn: () => unknown): void },
  specs: readonly WorkerSpec[],
  redisOptions: RedisOptions = {},
): Promise<{ redis: RedisServer; workers: WorkerProcess[] }> {
  const redis = await startRedis(redisOptions);
  t.after(() => redis.stop());
  const workers = await Promise.all(
    specs.map(({ args = [], tasks }) =>
      spawnWorker(redis.url, args, tasks ? { tasks: [...tasks] } : {}),
    ),
  );
  t.after(() => Promise.all(workers.map((worker) => worker.kill())));
  return { redis, workers };
}

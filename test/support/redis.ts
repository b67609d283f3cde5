/**
 * A real, throwaway `redis-server` for tests: started on a free loopback port, without
 * persistence unless asked for, stopped after. When `redis-server` is not installed, {@link redisSkip}
 * holds the reason (with the install command) for node:test's `skip`, so the tests are
 * reported as skipped, never silently passed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const INSTALL = 'apt-get install -y redis-server';

/** `false` when `redis-server` is on PATH, else why the Redis tests are skipped. */
export const redisSkip: false | string =
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error === undefined
    ? false
    : `redis-server is not on PATH; install it with \`${INSTALL}\` to run the distributed tests`;

export interface RedisServer {
  readonly port: number;
  /** `redis://[:password@]127.0.0.1:port` */
  readonly url: string;
  /** The same server with another password, to test authentication failures. */
  urlWithPassword(password: string): string;
  /** Kills the server at once (SIGKILL): clients see the connection drop mid-run. */
  kill(): Promise<void>;
  /**
   * Kills the server at once (SIGKILL) and starts it again on the same port after
   * `downMs`: with `persistence: 'aof'` it comes back with every write it acknowledged,
   * without persistence it comes back empty.
   */
  restart(downMs: number): Promise<void>;
  /** Stops the server; safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisOptions {
  password?: string;
  /**
   * `'aof'`: an append-only file fsynced on every write (`appendfsync always`), so a
   * SIGKILL loses nothing Redis acknowledged. @default 'none'
   */
  persistence?: 'none' | 'aof';
}

/**
 * Starts `redis-server` on a free loopback port and resolves once it answers PING.
 *
 * @example
 * const redis = await startRedis({ password: 's3cret' });
 * t.after(() => redis.stop());
 */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const dir =
    options.persistence === 'aof' ? mkdtempSync(join(tmpdir(), 'switchyard-redis-')) : undefined;
  const args = (port: number) => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    ...(dir
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]
      : ['--appendonly', 'no']),
    ...(options.password ? ['--requirepass', options.password] : []),
  ];
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const started = await serve(args(port), port);
    if (started.child) return handle(started.child, port, options.password, args(port), dir);
    // Another process may have taken the port between freePort() and redis binding it.
    if (attempt >= 3)
      throw new Error(`redis-server did not start on port ${port}:\n${started.output}`);
  }
}

/** Spawns redis-server; `child` is set once it answers, else `output` says why not. */
async function serve(
  args: readonly string[],
  port: number,
): Promise<{ child?: ChildProcess; output: string }> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  if (await answers(child, port)) return { child, output };
  await stopChild(child);
  return { output };
}

function handle(
  first: ChildProcess,
  port: number,
  password: string | undefined,
  args: readonly string[],
  dir: string | undefined,
): RedisServer {
  let child = first;
  const urlWithPassword = (pass: string) =>
    `redis://:${encodeURIComponent(pass)}@127.0.0.1:${port}`;
  return {
    port,
    url: password ? urlWithPassword(password) : `redis://127.0.0.1:${port}`,
    urlWithPassword,
    kill: () => stopChild(child, 'SIGKILL'),
    async restart(downMs) {
      await stopChild(child, 'SIGKILL');
      await sleep(downMs);
      const started = await serve(args, port);
      if (!started.child)
        throw new Error(`redis-server did not restart on ${port}:\n${started.output}`);
      child = started.child;
    },
    async stop() {
      await stopChild(child);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function answers(child: ChildProcess, port: number): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    // An unauthenticated PING gets +PONG or -NOAUTH: either way the server is up.
    const reply = await ping(port);
    if (reply.startsWith('+PONG') || reply.startsWith('-NOAUTH')) return true;
    await sleep(25);
  }
  return false;
}

function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1_000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(reply));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

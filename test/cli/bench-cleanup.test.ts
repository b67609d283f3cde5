/**
 * `switchyard bench` starts a sites server of its own, which may not outlive it: not when it
 * ends, not on Ctrl-C, and not when it is killed by SIGKILL, which runs no clean-up code at
 * all: the server notices by itself that its IPC channel closed. (The Python programs are
 * checked the same way in test/bench/python-session.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { descendants, eventually, goneWithin } from '../support/processes.js';
import { startCli } from './spawn.js';

/** Bounds on waiting, generous for a loaded machine: not measurements. */
const PATIENCE_MS = 10_000;
const STARTUP_PATIENCE_MS = 60_000;

const linux = process.platform === 'linux';

describe('switchyard bench leaves no process behind', { timeout: 120_000 }, () => {
  for (const [how, signal] of [
    ['killed by SIGKILL', 'SIGKILL'],
    ['interrupted (Ctrl-C)', 'SIGINT'],
  ] as const) {
    it(`the sites server ends when the bench is ${how}`, async (t) => {
      if (!linux) return t.skip('finds the server through /proc');
      // Slow enough to be caught in the middle: one download at a time, 200 ms each.
      const { child, finished } = startCli([
        'bench',
        '--jobs',
        'io',
        '--modes',
        'sync',
        '--sites',
        '50',
        '--latency',
        '200',
      ]);
      t.after(() => child.kill('SIGKILL'));
      const server = await eventually(
        () => descendants(child.pid!).find((p) => /sites[\\/]child\.[jt]s/.test(p.cmdline)),
        STARTUP_PATIENCE_MS,
      );
      child.kill(signal);
      const { code, signal: ended } = await finished;
      if (signal === 'SIGINT') assert.equal(code, 130, 'exits as interrupted');
      else assert.equal(ended, 'SIGKILL');
      assert.ok(
        await goneWithin(server.pid, PATIENCE_MS),
        `sites server ${server.pid} outlived the bench`,
      );
    });
  }
});

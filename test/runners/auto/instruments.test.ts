/** The real busy counters `auto` measures with (see `instruments.ts`). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { callingThread } from '../../../src/runners/auto/instruments.js';

const linux = process.platform === 'linux' && existsSync('/proc/self/stat');

it('counts the CPU of a program a task ran with the process’s, once it ended', {
  skip: linux ? false : 'no /proc/self/stat here',
}, async () => {
  const instruments = callingThread();
  const before = instruments.busy(false);
  // A child that computes for 300 ms of its own CPU time, whatever the machine's load.
  const spin = 'const t = process.cpuUsage(); while (process.cpuUsage(t).user < 300_000);';
  await promisify(execFile)(process.execPath, ['-e', spin]);
  const after = instruments.busy(false);
  const processMs = after.processCpuMs! - before.processCpuMs!;
  const threadMs = after.cpuMs - before.cpuMs;
  // The kernel counts a child's time in ticks of 10 ms.
  assert.ok(
    processMs - threadMs >= 290,
    `${processMs} ms of the process, ${threadMs} of this thread`,
  );
});

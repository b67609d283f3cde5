import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { countsChildProcesses, cpuTimeMs } from '../../src/bench/cpu-time.js';

/** A child that burns `ms` of its own CPU time, reports, then waits to be told to exit. */
const BURNER = `
const ms = Number(process.argv.at(-1));
const start = process.cpuUsage();
while (true) {
  const used = process.cpuUsage(start);
  if ((used.user + used.system) / 1000 >= ms) break;
}
process.send('burnt');
process.on('message', () => process.exit(0));
`;

/** A child process that has burnt `ms` of CPU time and waits to be told to exit. */
async function burnInChild(t: { after: (fn: () => void) => void }, ms: number) {
  const child = spawn(process.execPath, ['-e', BURNER, String(ms)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  t.after(() => child.kill());
  await once(child, 'message');
  return child;
}

describe('cpuTimeMs', () => {
  it('counts CPU time burnt on this thread', () => {
    const before = cpuTimeMs();
    const start = process.cpuUsage();
    while ((process.cpuUsage(start).user + process.cpuUsage(start).system) / 1000 < 50) {}
    assert.ok(cpuTimeMs() - before >= 50);
  });

  it('counts a live child process, and keeps counting it after it has exited', async (t) => {
    if (!countsChildProcesses)
      return t.skip('child CPU time is read from /proc, which only Linux has');
    const before = cpuTimeMs();
    const child = await burnInChild(t, 300);
    const whileAlive = cpuTimeMs() - before;
    // /proc reports in 10 ms ticks; the child burnt at least 300 ms of its own.
    assert.ok(whileAlive >= 290, `counted ${whileAlive} ms while the child was alive`);
    child.send('exit');
    await once(child, 'exit');
    const afterExit = cpuTimeMs() - before;
    assert.ok(afterExit >= whileAlive - 10, `counted ${afterExit} ms after it exited`);
  });

  it('leaves out a process it is told to', async (t) => {
    if (!countsChildProcesses)
      return t.skip('child CPU time is read from /proc, which only Linux has');
    const before = cpuTimeMs();
    const child = await burnInChild(t, 300);
    const counted = cpuTimeMs([child.pid!]) - before;
    const all = cpuTimeMs() - before;
    assert.ok(all - counted >= 290, `left out ${all - counted} ms of the child's 300`);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnSitesServer } from '../../src/sites/process.js';
import { checksumOf, startSitesServer } from '../../src/sites/server.js';
import { goneWithin, isGone } from '../support/processes.js';

const PARENT = fileURLToPath(new URL('../fixtures/sites-parent.ts', import.meta.url));
/** How long a test waits for a process to go: generous, it is a bound on waiting, not a measurement. */
const PATIENCE_MS = 10_000;

describe('spawnSitesServer: the sites server in a process of its own', { timeout: 60_000 }, () => {
  it('serves the same sites as the in-process server, from another process', async () => {
    const options = { sites: 4, latencyMs: 0, seed: 5 };
    await using inProcess = await startSitesServer(options);
    await using server = await spawnSitesServer(options);
    assert.notEqual(server.pid, process.pid);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(server.sites, 4);
    for (let i = 0; i < 4; i++) {
      const res = await fetch(server.siteUrl(i));
      const body = new Uint8Array(await res.arrayBuffer());
      assert.equal(checksumOf(body), server.checksum(i));
      assert.equal(server.checksum(i), inProcess.checksum(i));
    }
    assert.throws(() => server.siteUrl(4), RangeError);
  });

  it('close() ends the process, and a second close() is a no-op', async () => {
    const server = await spawnSitesServer({ sites: 1, latencyMs: 0 });
    assert.equal(isGone(server.pid), false);
    await server.close();
    await server.close();
    assert.equal(isGone(server.pid), true);
    await assert.rejects(fetch(server.siteUrl(0)));
  });

  it('a bad option rejects with what the server process said', async () => {
    await assert.rejects(
      spawnSitesServer({ sites: 0 }),
      /exited before it listened .*sites must be an integer/,
    );
  });

  it('does not outlive a parent killed by SIGKILL, which runs no clean-up code', async (t) => {
    if (process.platform === 'win32') return t.skip('no SIGKILL on Windows');
    const parent = spawn(process.execPath, ['--import', 'tsx', PARENT], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(() => parent.kill('SIGKILL'));
    const [line] = (await once(createInterface({ input: parent.stdout! }), 'line')) as [string];
    const serverPid = Number(line);
    assert.ok(Number.isInteger(serverPid) && !isGone(serverPid), 'the server is up');
    parent.kill('SIGKILL');
    await once(parent, 'exit');
    assert.ok(await goneWithin(serverPid, PATIENCE_MS), `server ${serverPid} outlived its parent`);
  });
});

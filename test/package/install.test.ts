/**
 * The package as a user installs it: built and packed (`npm pack`, the files `package.json`
 * lists), installed from the tarball into a fresh project, and used from there — a `.ts`
 * task on threads, `loop`, the `switchyard/sites` subpath, the CLI through `npx`. A library
 * user gets tsx (for `.ts` tasks) and nothing else: the CLI's own packages are bundled, and
 * bullmq and ioredis are optional peers whose absence is explained when `distributed` is used.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The packages switchyard's CLI and bench use, which a library user must not install. */
const BUNDLED_OR_OPTIONAL = ['commander', 'cli-progress', 'undici', 'bullmq', 'ioredis'];

let scratch: string;
let project: string;

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await exec(NPM, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Runs `node main.mjs` in the project with `code` as main.mjs; resolves with its stdout. */
async function runInProject(code: string): Promise<string> {
  writeFileSync(join(project, 'main.mjs'), code);
  const { stdout } = await exec(process.execPath, ['main.mjs'], { cwd: project });
  return stdout.trim();
}

describe('the packed package, installed into a fresh project', { timeout: 300_000 }, () => {
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'switchyard-pack-'));
    // Packed from a copy, so that building does not rewrite this repository's dist/ while
    // other tests run from it.
    const source = join(scratch, 'source');
    for (const entry of ['package.json', 'README.md', 'scripts', 'src', 'tsconfig.json']) {
      cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
    }
    for (const optional of ['tsconfig.build.json', 'docs', 'CHANGELOG.md', 'LICENSE']) {
      if (existsSync(join(ROOT, optional)))
        cpSync(join(ROOT, optional), join(source, optional), { recursive: true });
    }
    // The build's tools (tsc, esbuild) are this repository's.
    symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');
    await exec(process.execPath, [join(source, 'scripts/build.mjs')], { cwd: source });
    const packed = (await npm(['pack', '--ignore-scripts', '--silent'], source)).trim();
    project = join(scratch, 'project');
    cpSync(join(ROOT, 'test/package/fixtures/project'), project, { recursive: true });
    await npm(
      ['install', '--prefer-offline', '--no-audit', '--no-fund', join(source, packed)],
      project,
    );
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('installs tsx and nothing of the CLI, the bench or the cluster', () => {
    const installed = readdirSync(join(project, 'node_modules'));
    assert.ok(installed.includes('switchyard'));
    assert.ok(installed.includes('tsx'), 'tsx runs .ts task modules');
    for (const name of BUNDLED_OR_OPTIONAL) assert.ok(!installed.includes(name), name);
  });

  it('runs a .ts task module on threads', async () => {
    const out = await runInProject(`
      import { createExecutor, task } from 'switchyard';
      const square = task(new URL('./jobs.ts', import.meta.url), 'square');
      const ex = createExecutor({ mode: 'threads', workers: 2 });
      const squares = [];
      for await (const n of ex.map(square, [1, 2, 3, 4])) squares.push(n);
      await ex.close();
      console.log(squares.join(' '));`);
    assert.equal(out, '1 4 9 16');
  });

  it('runs plain functions on loop, and serves sites from switchyard/sites', async () => {
    const out = await runInProject(`
      import { createExecutor } from 'switchyard';
      import { checksumOf, startSitesServer } from 'switchyard/sites';
      const server = await startSitesServer({ sites: 3, latencyMs: 5 });
      const ex = createExecutor({ mode: 'loop', concurrency: 3 });
      const download = async (i) => checksumOf(new Uint8Array(await (await fetch(server.siteUrl(i))).arrayBuffer())) === server.checksum(i);
      const ok = [];
      for await (const same of ex.map(download, [0, 1, 2])) ok.push(same);
      await ex.close();
      await server.close();
      console.log(ok.join(' '));`);
    assert.equal(out, 'true true true');
  });

  it('explains what to install when distributed is used without bullmq', async () => {
    const out = await runInProject(`
      import { createExecutor, task } from 'switchyard';
      const ex = createExecutor({ mode: 'distributed', connection: 'redis://127.0.0.1:1' });
      try {
        await ex.submit(task(new URL('./jobs.ts', import.meta.url), 'square'), 2);
      } catch (error) {
        console.log(error.message);
      }
      await ex.close();`);
    assert.match(out, /needs the optional packages bullmq and ioredis.*npm install bullmq ioredis/);
  });

  it('runs the CLI through npx', async () => {
    const help = await npm(['exec', '--no', '--', 'switchyard', '--help'], project);
    assert.match(help, /Usage: switchyard/);
    for (const command of ['bench', 'run', 'profile', 'worker', 'demo'])
      assert.match(help, new RegExp(`\\b${command}\\b`), command);
  });
});

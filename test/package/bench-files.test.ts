/**
 * The bench as published: `dist/` plus the files `package.json` ships. The sites server's
 * own process and the Python programs are found by path from the bundled code, so a build
 * that moved them, or a `files` list that left them out, would only fail here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pythonVersion } from '../../src/bench/python-session.js';
import type { BenchDocument } from '../../src/bench/types.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = join(ROOT, 'node_modules/.cache/switchyard', `bench-files-test-${process.pid}`);

describe('the published bench (dist/ and the shipped files)', { timeout: 180_000 }, () => {
  before(async () => {
    mkdirSync(PACKAGE, { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(PACKAGE, 'package.json'));
    const { files } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      files: string[];
    };
    // What npm would pack besides dist/: the patterns of `files` that name Python programs.
    for (const pattern of files.filter((f) => f.endsWith('.py'))) {
      const dir = pattern.slice(0, pattern.indexOf('/'));
      cpSync(join(ROOT, dir), join(PACKAGE, dir), {
        recursive: true,
        filter: (src) => !src.includes('__pycache__'),
      });
    }
    await run(process.execPath, [
      join(ROOT, 'scripts/build.mjs'),
      '--out',
      join(PACKAGE, 'dist'),
      '--no-types',
    ]);
  });
  after(() => rmSync(PACKAGE, { recursive: true, force: true }));

  it('runs both jobs, the sites server in its own process and the Python programs beside the modes', async (t) => {
    const { stdout } = await run(
      process.execPath,
      [
        join(PACKAGE, 'dist/cli/main.js'),
        'bench',
        '--quick',
        '--modes',
        'sync',
        '--compare',
        'python',
        '--json',
      ],
      { cwd: PACKAGE },
    );
    const doc = JSON.parse(stdout) as BenchDocument;
    for (const job of doc.jobs) {
      const sync = job.results.find((r) => r.mode === 'sync')!;
      assert.equal(sync.verified, true, `${job.job}: sync ran against the server`);
      if (!pythonVersion()) {
        t.diagnostic('python3 is not installed: the Python programs are not checked');
        continue;
      }
      const python = job.results.find((r) => r.mode === 'python sync')!;
      assert.equal(python.reason, undefined, `${job.job}: ${python.reason}`);
      assert.equal(python.verified, true);
    }
  });
});

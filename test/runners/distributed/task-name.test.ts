import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import {
  moduleName,
  moduleOf,
  nameInPackage,
  taskName,
} from '../../../src/runners/distributed/task-name.js';

const scratch = mkdtempSync(join(tmpdir(), 'switchyard-task-name-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes `files` (path → content) under a fresh directory and returns it. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(scratch, 'tree-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const url = (root: string, path: string) => pathToFileURL(join(root, path)).href;

/** True if `dir` or a folder above it holds a package.json. */
function packageAbove(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json'))) return true;
    if (dirname(at) === at) return false;
  }
}

describe('task names: a module travels by its package and its path inside it', () => {
  it('the nearest package.json with a name gives the package; the path is taken from its folder', async () => {
    const root = tree({
      'package.json': JSON.stringify({ name: 'my-app' }),
      'dist/jobs/resize.js': '',
    });
    assert.equal(await moduleName(url(root, 'dist/jobs/resize.js')), 'my-app/dist/jobs/resize.js');
  });

  it('the same package deployed in two places gives the same name', async () => {
    const files = { 'package.json': JSON.stringify({ name: '@acme/jobs' }), 'src/a.ts': '' };
    const [here, there] = [tree(files), tree(files)];
    assert.notEqual(here, there);
    assert.equal(await moduleName(url(here, 'src/a.ts')), '@acme/jobs/src/a.ts');
    assert.equal(await moduleName(url(there, 'src/a.ts')), '@acme/jobs/src/a.ts');
  });

  it('a package.json without a name (a folder that only sets "type") is passed over', async () => {
    const root = tree({
      'package.json': JSON.stringify({ name: 'outer' }),
      'lib/cjs/package.json': JSON.stringify({ type: 'commonjs' }),
      'lib/cjs/task.cjs': '',
      'broken/package.json': '{ not json',
      'broken/task.js': '',
    });
    assert.equal(await moduleName(url(root, 'lib/cjs/task.cjs')), 'outer/lib/cjs/task.cjs');
    assert.equal(await moduleName(url(root, 'broken/task.js')), 'outer/broken/task.js');
  });

  it('a module outside any named package, or not a file, keeps its URL', {
    skip: packageAbove(tmpdir()) && `a package.json above ${tmpdir()}`,
  }, async () => {
    const lone = mkdtempSync(join(tmpdir(), 'switchyard-no-package-'));
    try {
      writeFileSync(join(lone, 'jobs.mjs'), '');
      assert.equal(await moduleName(url(lone, 'jobs.mjs')), url(lone, 'jobs.mjs'));
    } finally {
      rmSync(lone, { recursive: true, force: true });
    }
    assert.equal(await moduleName('https://example.com/jobs.js'), 'https://example.com/jobs.js');
    assert.equal(await moduleName('data:text/javascript,1'), 'data:text/javascript,1');
  });

  it('this repository’s fixtures are named after the switchyard package', async () => {
    const jobs = new URL('../../fixtures/distributed/jobs.ts', import.meta.url).href;
    assert.equal(await moduleName(jobs), 'switchyard/test/fixtures/distributed/jobs.ts');
  });

  it('property: the name depends on the package and the path inside it, never on where the package is', () => {
    const segment = fc.stringMatching(/^[a-z0-9._-]{1,8}$/).filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(
        fc.stringMatching(/^(@[a-z0-9-]{1,6}\/)?[a-z0-9-]{1,10}$/),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,10}$/),
        (pkg, inside, rootA, rootB, exportName) => {
          const name = (root: string[]) => {
            const dir = join('/', ...root);
            return nameInPackage({ name: pkg, dir }, join(dir, ...inside));
          };
          assert.equal(name(rootA), name(rootB));
          assert.equal(name(rootA), `${pkg}/${inside.join('/')}`);
          const task = taskName(name(rootA), exportName);
          assert.equal(moduleOf(task), name(rootA));
        },
      ),
    );
  });
});

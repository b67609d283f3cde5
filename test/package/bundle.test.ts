/**
 * The package as published: `dist/` is bundled by `scripts/build.mjs` (modules land in
 * entry files and shared chunks), so what the tests prove from the sources must still hold
 * there — workers found from inside a chunk, task modules that name themselves by
 * `import.meta.url`, the manifest read by relative URL, one class per error. Built afresh
 * (JavaScript only) into a scratch package next to this repository's `node_modules`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = join(ROOT, 'node_modules/.cache/switchyard', `bundle-test-${process.pid}`);
const DIST = join(PACKAGE, 'dist');

/** Runs `node -e code` as an ES module in the scratch package; resolves with its stdout. */
async function node(code: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], {
    cwd: PACKAGE,
  });
  return stdout.trim();
}

describe('the bundled package (dist/)', { timeout: 120_000 }, () => {
  before(async () => {
    mkdirSync(PACKAGE, { recursive: true });
    copyFileSync(join(ROOT, 'package.json'), join(PACKAGE, 'package.json'));
    await run(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', DIST, '--no-types']);
  });
  after(() => rmSync(PACKAGE, { recursive: true, force: true }));

  for (const mode of ['threads', 'processes'] as const) {
    it(`runs the bench's own task module in ${mode} workers`, async () => {
      const index = pathToFileURL(join(DIST, 'index.js')).href;
      const jobs = pathToFileURL(join(DIST, 'bench/jobs/cpu.js')).href;
      const out = await node(`
        const { createExecutor } = await import(${JSON.stringify(index)});
        const { sumOfSquaresTask } = await import(${JSON.stringify(jobs)});
        const ex = createExecutor({ mode: '${mode}', workers: 2 });
        const sums = [];
        for await (const sum of ex.map(sumOfSquaresTask, [10, 1000])) sums.push(sum);
        await ex.close();
        console.log(JSON.stringify(sums));`);
      // Σ i² for i < n is n(n-1)(2n-1)/6.
      assert.deepEqual(JSON.parse(out), ['285', '332833500']);
    });
  }

  it('runs a TypeScript task module through the bundled CLI, in worker threads', async () => {
    const work = join(PACKAGE, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 'double.ts'), 'export const double = (x: number): number => x * 2;\n');
    writeFileSync(join(work, 'in.jsonl'), '1\n2\n3\n');
    const output = join(work, 'out.jsonl');
    await run(process.execPath, [
      join(DIST, 'cli/main.js'),
      'run',
      `${join(work, 'double.ts')}#double`,
      '--input',
      join(work, 'in.jsonl'),
      '--output',
      output,
      '--mode',
      'threads',
    ]);
    const lines = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      lines.sort((a, b) => a.index - b.index).map((line) => line.value),
      [2, 4, 6],
    );
  });

  it('reports the version from the package manifest', async () => {
    const { stdout } = await run(process.execPath, [join(DIST, 'cli/main.js'), '--version']);
    const { version } = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
    assert.equal(stdout.trim(), version);
  });

  it('defines each error class once for the library and the CLI together', () => {
    // The worker program is bundled alone (it runs in its own isolate); every other
    // output shares one copy, so `instanceof` holds whichever entry made the error.
    const shared = listJs(DIST).filter((file) => !file.endsWith(join('pool', 'worker', 'main.js')));
    const definitions = shared.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/^var (\w+Error) = class\b/gm)].map((m) => m[1]),
    );
    assert.ok(definitions.includes('TaskError'), 'the bundle defines TaskError');
    assert.deepEqual(
      definitions.filter((name, i) => definitions.indexOf(name) !== i),
      [],
      'error classes defined twice',
    );
  });
});

function listJs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listJs(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

/** The README's examples are real files, run here so the docs cannot rot. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function runExample(name: string): Promise<string> {
  const file = fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { timeout: 60_000 });
  return stdout;
}

describe('examples', { timeout: 120_000 }, () => {
  it("the README's quick start is examples/quick-start.ts, word for word", () => {
    const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
    const example = read('examples/quick-start.ts');
    const code = example.slice(example.indexOf('import {'));
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Quick start (library)'));
    const block = section.slice(section.indexOf('```ts\n') + 6, section.indexOf('```\n', 10));
    assert.equal(block, code);
  });

  for (const example of ['quick-start.ts', 'quick-start.mjs']) {
    it(`${example} downloads every page in input order and reports the broken one by index`, async () => {
      const out = await runExample(example);
      assert.match(out, /^first page: 10240 bytes$/m);
      assert.match(out, /^downloaded 20 pages, 204800 bytes$/m);
      assert.match(out, /^input 1 failed: .*no-such-page answered 404$/m);
      assert.match(out, /^completed 23, failed 1$/m);
    });
  }

  it('primitives.ts shows each cooperative primitive doing what the README says', async () => {
    const out = await runExample('primitives.ts');
    assert.match(out, /^semaphore: at most 2 at once$/m);
    assert.match(out, /^queue: received 0 1 2 3 4$/m);
    assert.match(out, /^taskGroup: one task failed$/m);
    assert.match(out, /^withTimeout: timed out = true$/m);
  });
});

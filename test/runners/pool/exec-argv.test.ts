import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const index = new URL('../../../src/index.ts', import.meta.url).href;
const fixtures = new URL('./fixtures/tasks.mjs', import.meta.url).href;

/** A program that runs two tasks on an executor of `mode`, started with `flags`. */
function runUnder(mode: string, flags: string[]) {
  const program = `
    import { createExecutor, task } from ${JSON.stringify(index)};
    const ex = createExecutor({ mode: '${mode}', workers: 2 });
    const outputs = await Promise.all([1, 2].map(() => ex.submit(task(new URL(${JSON.stringify(fixtures)}), 'whoAmI'), undefined)));
    await ex.close();
    console.log(JSON.stringify(outputs.length));
  `;
  return spawnSync(
    process.execPath,
    [...flags, '--import', 'tsx', '--input-type=module', '-e', program],
    {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
}

for (const mode of ['threads', 'processes']) {
  describe(`${mode} under the caller’s Node flags`, { timeout: 120_000 }, () => {
    it('a program started with process-wide flags a thread refuses (--max-old-space-size, --expose-gc) still gets its workers', () => {
      const { status, stdout, stderr } = runUnder(mode, [
        '--max-old-space-size=512',
        '--expose-gc',
      ]);
      assert.equal(status, 0, stderr);
      assert.equal(stdout.trim(), '2');
    });
  });
}

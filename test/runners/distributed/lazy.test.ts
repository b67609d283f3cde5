import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const INDEX = fileURLToPath(new URL('../../../src/index.ts', import.meta.url));

/** Runs `script` in a fresh Node (TypeScript through tsx) and returns what it printed. */
function run(script: string): string {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim();
}

/** Prints which of bullmq and ioredis are loaded (both are CommonJS, so in require.cache). */
const PRINT_LOADED = `
  {
    const { createRequire } = await import('node:module');
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const names = ['bullmq', 'ioredis'];
    console.log(names.filter((name) => cache.some((path) => path.includes('/node_modules/' + name + '/'))).join(',') || 'none');
  }
`;

describe('distributed mode costs nothing until it is used', () => {
  it("import 'switchyard' and creating a distributed executor load neither bullmq nor ioredis", () => {
    const script = `
      const { createExecutor } = await import(${JSON.stringify(INDEX)});
      ${PRINT_LOADED}
      createExecutor({ mode: 'distributed', connection: 'redis://127.0.0.1:1' });
      ${PRINT_LOADED}
      await Promise.all([import('bullmq'), import('ioredis')]);
      ${PRINT_LOADED}
    `;
    // The last line shows that the check sees them once they are loaded.
    assert.deepEqual(run(script).split('\n'), ['none', 'none', 'bullmq,ioredis']);
  });
});

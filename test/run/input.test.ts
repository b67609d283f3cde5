import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readInputs } from '../../src/run/input.js';

describe('readInputs', () => {
  it('reads a file that starts with a byte-order mark, as some editors on Windows write it', async () => {
    async function* file() {
      yield Buffer.from('\uFEFF{"n":1}\n{"n":2}\n');
    }
    const records = [];
    for await (const record of readInputs(file())) records.push(record);
    assert.deepEqual(
      records.map((r) => (r.ok ? r.value : r.error.message)),
      [{ n: 1 }, { n: 2 }],
    );
  });
});

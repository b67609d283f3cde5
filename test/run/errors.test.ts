import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunFileError } from '../../src/run/errors.js';

function folder(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-errors-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const failed = (code: string) => Object.assign(new Error(`${code}: raw`), { code });

describe('RunFileError', () => {
  it('names the flag and the path, says what is wrong and what to do', (t) => {
    const dir = folder(t);
    writeFileSync(join(dir, 'plain'), '');
    const cases: [RunFileError, string][] = [
      [
        new RunFileError('--output', join(dir, 'none', 'out.jsonl'), failed('ENOENT')),
        `--output ${join(dir, 'none', 'out.jsonl')}: the folder ${join(dir, 'none')} does not exist; create it or choose another path`,
      ],
      [
        new RunFileError('--input', join(dir, 'in.jsonl'), failed('ENOENT')),
        `--input ${join(dir, 'in.jsonl')}: no such file; check the path (or pass - to read stdin)`,
      ],
      [
        new RunFileError('--input', join(dir, 'none', 'in.jsonl'), failed('ENOENT')),
        `--input ${join(dir, 'none', 'in.jsonl')}: the folder ${join(dir, 'none')} does not exist; check the path`,
      ],
      [
        new RunFileError('--input', dir, failed('EISDIR')),
        `--input ${dir}: is a folder, not a file; name the JSONL file to read`,
      ],
      [
        new RunFileError('--output', dir, failed('EISDIR')),
        `--output ${dir}: is a folder, not a file; name a file, such as ${join(dir, 'out.jsonl')}`,
      ],
      [
        new RunFileError('--output', join(dir, 'plain', 'sub', 'out.jsonl'), failed('ENOTDIR')),
        `--output ${join(dir, 'plain', 'sub', 'out.jsonl')}: ${join(dir, 'plain')} is a file, not a folder; choose another path`,
      ],
      [
        new RunFileError('--input', join(dir, 'plain'), failed('EACCES')),
        `--input ${join(dir, 'plain')}: permission denied: you may not read it; make it readable or choose another file`,
      ],
      [
        new RunFileError('--output', join(dir, 'plain'), failed('EACCES')),
        `--output ${join(dir, 'plain')}: permission denied: you may not write it (or create files in its folder); choose another path or change the permissions`,
      ],
      [
        new RunFileError('--output', join(dir, 'plain'), failed('EIO')),
        `--output ${join(dir, 'plain')}: cannot write it (EIO: raw); check the path`,
      ],
    ];
    for (const [error, message] of cases) {
      assert.equal(error.message, message);
      assert.equal(error.name, 'RunFileError');
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scanOutput } from '../../src/run/resume.js';

function file(t: { after: (fn: () => void) => void }, content?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-resume-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'out.jsonl');
  if (content !== undefined) writeFileSync(path, content);
  return path;
}

describe('scanOutput', () => {
  it('treats a missing output as empty', async (t) => {
    const { done, droppedBytes } = await scanOutput(file(t));
    assert.equal(done.size, 0);
    assert.equal(droppedBytes, 0);
  });

  it('collects the indices of complete lines and cuts off a torn last line', async (t) => {
    const path = file(
      t,
      '{"index":2,"ok":true,"value":1}\n{"index":0,"ok":false,"error":{}}\n{"index":9,"o',
    );
    const { done, droppedBytes } = await scanOutput(path);
    assert.deepEqual(
      [0, 1, 2, 9].map((i) => done.has(i)),
      [true, false, true, false],
    );
    assert.equal(droppedBytes, '{"index":9,"o'.length);
    assert.equal(readFileSync(path, 'utf8').endsWith('}\n'), true);
  });

  it('cuts a file with no complete line down to nothing', async (t) => {
    const path = file(t, 'x'.repeat(200_000));
    assert.equal((await scanOutput(path)).droppedBytes, 200_000);
    assert.equal(readFileSync(path, 'utf8'), '');
  });

  it('keeps an index past 2^32 apart from the small ones', async (t) => {
    const { done } = await scanOutput(
      file(t, `{"index":${2 ** 32},"ok":true,"value":1}\n{"index":2,"ok":true,"value":1}\n`),
    );
    assert.deepEqual(
      [0, 2, 2 ** 32].map((i) => done.has(i)),
      [false, true, true],
    );
  });

  it('refuses a line whose index no input can have, naming the file, the line and the index', async (t) => {
    for (const index of ['1e300', '-1', '1.5', '"3"', `${2 ** 53}`]) {
      const path = file(t, `{"index":0,"ok":true}\n{"index":${index},"ok":true}\n`);
      await assert.rejects(scanOutput(path), (error: Error) => {
        const shown = JSON.stringify(JSON.parse(index));
        assert.ok(
          error.message.startsWith(`output ${path} line 2 has index ${shown}, `),
          error.message,
        );
        assert.match(error.message, /pass a new --output file or remove that line/);
        return true;
      });
    }
  });

  it('refuses an output it may not open, naming --output', async (t) => {
    const folder = join(file(t), '..');
    await assert.rejects(scanOutput(folder), /^RunFileError: --output .*: is a folder, not a file/);
  });

  it('refuses a line that is not a result, and an index written twice', async (t) => {
    await assert.rejects(
      scanOutput(file(t, '{"index":0,"ok":true}\n[1]\n')),
      /line 2 is not a switchyard result/,
    );
    await assert.rejects(
      scanOutput(file(t, '{"index":4,"ok":true}\n{"index":4,"ok":true}\n')),
      /index 4 twice/,
    );
  });
});

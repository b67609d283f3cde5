import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readLines } from '../../src/run/lines.js';

async function collect(chunks: readonly Buffer[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readLines(chunks)) lines.push(line.text);
  return lines;
}

describe('readLines', () => {
  it('yields the same lines however the bytes are split into chunks, multi-byte characters included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'grapheme' }).map((s) => s.replace(/[\r\n]/g, '')),
          { maxLength: 20 },
        ),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (lines, trailingNewline, cuts) => {
          const text = lines.join('\n') + (trailingNewline && lines.length > 0 ? '\n' : '');
          const bytes = Buffer.from(text);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks = [0, ...points, bytes.length]
            .slice(1)
            .map((end, i, all) => bytes.subarray(i === 0 ? 0 : all[i - 1], end));
          // A final newline ends the last line rather than starting an empty one.
          const expected = text.split('\n');
          if (expected.at(-1) === '') expected.pop();
          assert.deepEqual(await collect(chunks), expected);
        },
      ),
    );
  });

  it('numbers lines from 1, counting blank ones, and strips a \\r before the \\n', async () => {
    const numbered: [number, string][] = [];
    for await (const line of readLines([Buffer.from('a\r\n\nb')]))
      numbered.push([line.number, line.text]);
    assert.deepEqual(numbered, [
      [1, 'a'],
      [2, ''],
      [3, 'b'],
    ]);
  });
});

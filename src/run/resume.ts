/**
 * Exactly-once resume: before a run appends to an existing output, this finds which input
 * indices it already holds. Results are appended whole lines at a time, so after a crash
 * (SIGKILL, power loss) only the last line can be half-written; it is cut off here, and its
 * input runs again.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { RunFileError } from './errors.js';
import { IndexSet, isIndex } from './index-set.js';
import { readLines } from './lines.js';

export interface ResumeState {
  /** Indices that already have a result line. */
  readonly done: IndexSet;
  /** Bytes of a half-written last line that were cut off (0 when the file ended cleanly). */
  readonly droppedBytes: number;
}

const TAIL_BLOCK = 64 * 1024;

/** Reads the output at `path` (a missing file is an empty one), cutting off a torn last line. */
export async function scanOutput(path: string): Promise<ResumeState> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    // No output yet: a first run. (If it cannot be created there, opening it to write says why.)
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { done: new IndexSet(), droppedBytes: 0 };
    }
    throw new RunFileError('--output', path, error);
  }
  let droppedBytes: number;
  try {
    const { size } = await handle.stat();
    const keep = await endOfLastLine(handle, size);
    droppedBytes = size - keep;
    if (droppedBytes > 0) await handle.truncate(keep);
  } finally {
    await handle.close();
  }
  return { done: await doneIndices(path), droppedBytes };
}

/** The byte offset just past the file's last `\n` (0 when it has none). */
async function endOfLastLine(handle: FileHandle, size: number): Promise<number> {
  const block = Buffer.alloc(TAIL_BLOCK);
  for (let end = size; end > 0; end -= TAIL_BLOCK) {
    const start = Math.max(0, end - TAIL_BLOCK);
    const { bytesRead } = await handle.read(block, 0, end - start, start);
    const newline = block.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline !== -1) return start + newline + 1;
  }
  return 0;
}

async function doneIndices(path: string): Promise<IndexSet> {
  const done = new IndexSet();
  for await (const line of readLines(createReadStream(path))) {
    if (line.text.trim() === '') continue;
    const result = parseResult(line.text);
    if (result === undefined) {
      throw new Error(
        `output ${path} line ${line.number} is not a switchyard result ({"index":…,"ok":…}); pass a new --output file or remove that line`,
      );
    }
    const { index } = result;
    if (!isIndex(index)) {
      throw new Error(
        `output ${path} line ${line.number} has index ${JSON.stringify(index)}, which no input can have (an index is a whole number from 0 to ${Number.MAX_SAFE_INTEGER}); it was not written by switchyard run — pass a new --output file or remove that line`,
      );
    }
    if (!done.add(index)) {
      throw new Error(
        `output ${path} holds index ${index} twice (again at line ${line.number}); it was not written by one switchyard run — pass a new --output file`,
      );
    }
  }
  return done;
}

/** The line's `index` when it has the shape of a result line, `undefined` when it does not. */
function parseResult(text: string): { readonly index: unknown } | undefined {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null || !('index' in record)) return undefined;
  return 'ok' in record && typeof record.ok === 'boolean' ? { index: record.index } : undefined;
}

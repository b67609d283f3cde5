/**
 * The run's input: one JSON value per line, from a file or from stdin (`-`). Blank lines are
 * skipped and do not take an index, so an input's index is its position among the
 * non-blank lines — the same on every re-run, which is what resume relies on.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InputLineError, RunFileError } from './errors.js';
import { type Line, readLines } from './lines.js';

/** `-` reads stdin. */
export const STDIN = '-';

/** One non-blank input line: its value, or why it is not JSON. */
export type InputRecord =
  | { readonly index: number; readonly line: number; readonly ok: true; readonly value: unknown }
  | { readonly index: number; readonly line: number; readonly ok: false; readonly error: Error };

/** Opens the input now, so a missing file fails before anything runs. */
export async function openInput(path: string): Promise<Readable> {
  if (path === STDIN) return process.stdin;
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new RunFileError('--input', path, error);
  }
  // A folder opens fine and fails only at the first read, as a stream error in mid-run.
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw new RunFileError(
      '--input',
      path,
      Object.assign(new Error('a folder'), { code: 'EISDIR' }),
    );
  }
  return handle.createReadStream();
}

/** Numbers and parses the non-blank lines of `source`. */
export async function* readInputs(
  source: AsyncIterable<Buffer | string>,
): AsyncGenerator<InputRecord> {
  let index = 0;
  for await (const line of readLines(source)) {
    if (isBlank(line.text)) continue;
    // Some editors on Windows start a UTF-8 file with a byte-order mark: not part of the JSON.
    const text = line.number === 1 && line.text.startsWith(BOM) ? line.text.slice(1) : line.text;
    yield parse({ ...line, text }, index++);
  }
}

const BOM = '\uFEFF';

function parse(line: Line, index: number): InputRecord {
  try {
    return { index, line: line.number, ok: true, value: JSON.parse(line.text) };
  } catch (error) {
    return {
      index,
      line: line.number,
      ok: false,
      error: new InputLineError(line.number, (error as Error).message),
    };
  }
}

/**
 * Counts the inputs of a file (its non-blank lines) for the progress bar's total, scanning
 * bytes rather than decoding lines, so it finishes well ahead of the run.
 */
export async function countInputs(path: string): Promise<number> {
  const handle = await open(path, 'r');
  let count = 0;
  let content = false; // the current line has a non-blank byte
  for await (const chunk of handle.createReadStream() as AsyncIterable<Buffer>) {
    for (let start = 0; start < chunk.length; ) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      content ||= hasContent(chunk, start, end);
      if (newline === -1) break;
      if (content) count++;
      content = false;
      start = newline + 1;
    }
  }
  return content ? count + 1 : count;
}

function hasContent(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return true;
  }
  return false;
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

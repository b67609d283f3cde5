/**
 * Splits a byte stream into lines, numbered from 1, without holding more than the current
 * chunk and the current line: pulling from the stream's own async iterator gives
 * backpressure, so a 10-million-line file is read at the pace its lines are consumed.
 */
import { StringDecoder } from 'node:string_decoder';

export interface Line {
  /** 1-based, counting every line of the file, blank ones included. */
  readonly number: number;
  /** Without its `\n` (or `\r\n`). */
  readonly text: string;
}

export async function* readLines(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): AsyncGenerator<Line> {
  const decoder = new StringDecoder('utf8');
  // A line longer than one chunk is collected in parts, so it is joined once, not per chunk.
  let parts: string[] = [];
  let number = 0;
  const line = (text: string): Line => ({
    number: ++number,
    text: text.endsWith('\r') ? text.slice(0, -1) : text,
  });

  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      parts.push(text.slice(start, end));
      yield line(parts.join(''));
      parts = [];
      start = end + 1;
    }
    if (start < text.length) parts.push(text.slice(start));
  }
  parts.push(decoder.end());
  const last = parts.join('');
  if (last.length > 0) yield line(last);
}

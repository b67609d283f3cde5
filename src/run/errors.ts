/** Errors of `switchyard run` alone: what is wrong with its files, an input line or a task's output. */
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toWire } from '../core/wire.js';

/** A line of a `switchyard run` input file is not one JSON value. */
export class InputLineError extends Error {
  override readonly name = 'InputLineError';
  /** 1-based line number in the input file. */
  readonly line: number;
  constructor(line: number, problem: string) {
    super(
      `input line ${line} is not valid JSON (${problem}); each line must hold exactly one JSON value`,
    );
    this.line = line;
  }
}

/** A task's output has no JSON form (a BigInt, a cycle, a function), so `switchyard run` cannot write it. */
export class ResultNotJsonError extends Error {
  override readonly name = 'ResultNotJsonError';
  constructor(cause: unknown) {
    const { name, message } = toWire(cause);
    super(
      `the task's output cannot be written as JSON (${name}: ${message}); return plain data: objects, arrays, strings, numbers, booleans, null`,
      { cause },
    );
  }
}

/** The flag that names a file a command opens: `run`'s input and output, `bench`'s report. */
export type FileFlag = '--input' | '--output' | '--report';

/**
 * A command cannot open a file it was given (`switchyard run`'s input or output, `bench`'s
 * report): says so in the user's terms (the flag, the path, what is wrong and what to do)
 * where Node would say `ENOENT: no such file or directory, open '…'`.
 */
export class RunFileError extends Error {
  override readonly name = 'RunFileError';
  readonly flag: FileFlag;
  readonly path: string;
  /** `cause`: the error opening `path` threw, or one with the `code` of what is wrong. */
  constructor(flag: FileFlag, path: string, cause: unknown) {
    super(`${flag} ${path}: ${fileProblem(flag, path, cause)}`, { cause });
    this.flag = flag;
    this.path = path;
  }
}

function fileProblem(flag: FileFlag, path: string, cause: unknown): string {
  const reading = flag === '--input';
  const { code, message } = cause as NodeJS.ErrnoException;
  switch (code) {
    case 'ENOENT': {
      const folder = dirname(path);
      if (kindOf(folder) === 'missing') {
        return `the folder ${folder} does not exist; ${reading ? 'check the path' : 'create it or choose another path'}`;
      }
      return reading
        ? 'no such file; check the path (or pass - to read stdin)'
        : `cannot be created (${message}); choose another path`;
    }
    case 'EISDIR':
      return reading
        ? 'is a folder, not a file; name the JSONL file to read'
        : `is a folder, not a file; name a file, such as ${join(path, flag === '--report' ? 'report.html' : 'out.jsonl')}`;
    case 'ENOTDIR': {
      const file = fileInPath(path);
      return `${file ?? 'a part of the path'} is a file, not a folder; choose another path`;
    }
    case 'EACCES':
    case 'EPERM':
      return reading
        ? 'permission denied: you may not read it; make it readable or choose another file'
        : 'permission denied: you may not write it (or create files in its folder); choose another path or change the permissions';
    case 'EROFS':
      return 'the file system is read-only; choose another path';
    default:
      return `cannot ${reading ? 'read' : 'write'} it (${message}); check the path`;
  }
}

/** The nearest ancestor of `path` that exists as a file: why it cannot be a folder. */
function fileInPath(path: string): string | undefined {
  for (let at = dirname(path); ; at = dirname(at)) {
    const kind = kindOf(at);
    if (kind === 'file') return at;
    if (kind === 'folder' || dirname(at) === at) return undefined;
  }
}

function kindOf(path: string): 'file' | 'folder' | 'missing' | 'unknown' {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) return 'missing';
    return stats.isDirectory() ? 'folder' : 'file';
  } catch {
    // Not allowed to look (EACCES) or under a file (ENOTDIR): nothing to say for sure.
    return 'unknown';
  }
}

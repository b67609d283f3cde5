/**
 * The files of a `switchyard run` test: the command's arguments for a task of the run
 * fixtures, the JSONL inputs it is given, and the result lines it writes, read back and
 * checked for each index exactly once.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './spawn.js';

export const TASKS = join(FIXTURES, 'run-tasks.ts');
export const SLOW = { timeout: 120_000 };

/** `switchyard run` arguments for the task `name` of the run fixtures. */
export function runArgs(name: string, input: string, output: string, extra: string[]): string[] {
  return ['run', `${TASKS}#${name}`, '-i', input, '-o', output, ...extra];
}

export function writeInputs(path: string, values: readonly unknown[]): void {
  writeFileSync(path, values.map((v) => `${JSON.stringify(v)}\n`).join(''));
}

export interface ResultLine {
  index: number;
  ok: boolean;
  value?: unknown;
  error?: { name: string; message: string };
}

export function readResults(path: string): ResultLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ResultLine);
}

/** Asserts that `results` holds each of 0..count-1 exactly once. */
export function assertEachIndexOnce(results: readonly ResultLine[], count: number): void {
  const seen = new Map<number, number>();
  for (const r of results) seen.set(r.index, (seen.get(r.index) ?? 0) + 1);
  const repeated = [...seen].filter(([, n]) => n > 1).map(([i]) => i);
  assert.deepEqual(repeated, [], 'indices written more than once');
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  assert.deepEqual(missing, [], 'indices missing');
  assert.equal(results.length, count);
}

/** Runs the real `switchyard` command (TypeScript sources through tsx) as a child process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Running {
  readonly child: ChildProcess;
  readonly finished: Promise<Finished>;
}

/** Starts `switchyard ...args`; `stdin` (if given) is written and closed; `env` adds variables. */
export function startCli(
  args: readonly string[],
  stdin?: string,
  env: NodeJS.ProcessEnv = {},
): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  if (stdin !== undefined) child.stdin!.end(stdin);
  const finished = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, finished };
}

export function runCli(
  args: readonly string[],
  stdin?: string,
  env?: NodeJS.ProcessEnv,
): Promise<Finished> {
  return startCli(args, stdin, env).finished;
}

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A fresh directory, removed after the test, with the paths a run uses in it. */
export function files(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const at = (name: string) => join(dir, name);
  return { dir, input: at('in.jsonl'), output: at('out.jsonl'), log: at('started.log') };
}

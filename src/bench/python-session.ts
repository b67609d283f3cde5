/**
 * A classic Python program (`python/program_*.py`) as a {@link Session}: `python3` runs
 * `python/harness.py`, which starts the program, warms it up, and runs the whole job each
 * time it is asked, printing the outputs for the bench to verify. The bench times each run
 * from its side of the pipe and reads CPU time as for its own modes: the Python process and
 * its pool's processes are children of the bench.
 *
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Experiment } from './experiments.js';
import { lastLine, NotAvailable, type Session } from './session.js';
import type { BenchSettings } from './settings.js';
import type { PythonMode } from './types.js';

/** The Python programs: `python/` at the package root, two levels above this module in `src/` and in `dist/`. */
const PYTHON_DIR = fileURLToPath(new URL('../../python/', import.meta.url));
const PYTHON = 'python3';
/** `-B`: write no bytecode into the package; `-E -s`: ignore PYTHON* variables and the user's site-packages. */
const PYTHON_FLAGS = ['-B', '-E', '-s'];
const NOT_FOUND = `not available: ${PYTHON} not found`;
/** How long a program that ignores its closed stdin is given before its process group is killed. */
const STOP_GRACE_MS = 5_000;

/** Which program file each row runs. */
const PROGRAMS: Readonly<Record<PythonMode, string>> = {
  'python sync': 'sync',
  'python threads': 'threads',
  'python asyncio': 'asyncio',
  'python processes': 'processes',
};

/** Why a row cannot or need not run for a job, or `undefined` when it runs. */
export function pythonSkips(row: PythonMode, exp: Experiment): string | undefined {
  if (pythonVersion() === undefined) return NOT_FOUND;
  return row === 'python asyncio' && exp.job === 'cpu'
    ? 'not run: coroutines take turns on one thread, so CPU work runs as in python sync (as loop shows for Node)'
    : undefined;
}

/** `Python 3.x.y`, or `undefined` when `python3` is not on the PATH. */
export function pythonVersion(): string | undefined {
  const result = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? (result.stdout || result.stderr).trim() : undefined;
}

/** Starts the program behind `row` on `exp`'s job; throws {@link NotAvailable} without `python3`. */
export async function startPythonSession(
  exp: Experiment,
  row: PythonMode,
  settings: BenchSettings,
): Promise<Session> {
  const started = performance.now();
  const child = spawn(PYTHON, [...PYTHON_FLAGS, 'harness.py'], {
    cwd: PYTHON_DIR,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group, so that the program and its pool's processes stop as one.
    detached: true,
  });
  const program = pythonProgram(child);
  try {
    program.send(
      JSON.stringify({
        program: PROGRAMS[row],
        job: exp.job,
        inputs: exp.plain.inputs,
        warmup: exp.plain.warmups(warmupCount(exp, settings)),
        workers: settings.workers,
        concurrency: settings.concurrency,
      }),
    );
    await program.reply();
  } catch (error) {
    await program.stop();
    throw error;
  }
  const ask = async (command: 'warm' | 'run'): Promise<unknown[]> => {
    program.send(command);
    const { outputs } = (await program.reply()) as { outputs?: unknown[] };
    if (!Array.isArray(outputs))
      throw new Error(`the Python program answered "${command}" without outputs`);
    return outputs;
  };
  return {
    startupMs: performance.now() - started,
    warm: async () => {
      await ask('warm');
    },
    run: () => ask('run'),
    decision: () => undefined,
    close: () => program.stop(),
  };
}

/** Enough warm-up inputs to start every thread, process and connection the job will use. */
function warmupCount(exp: Experiment, settings: BenchSettings): number {
  return exp.job === 'io' ? settings.concurrency : settings.workers;
}

interface PythonProgram {
  send(line: string): void;
  /** The next JSON line the program prints; rejects with its last words if it ends first. */
  reply(): Promise<unknown>;
  stop(): Promise<void>;
}

function pythonProgram(child: ChildProcess): PythonProgram {
  let said = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    said = (said + chunk).slice(-4_000);
  });
  const ended = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new NotAvailable(NOT_FOUND)
          : new Error(`${PYTHON} could not start: ${error.message}`),
      ),
    );
    child.once('close', (code, signal) =>
      reject(new Error(`${PYTHON} ended (${signal ?? `code ${code}`}): ${lastLine(said)}`)),
    );
  });
  ended.catch(() => {}); // raced by every reply; never an unhandled rejection
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  // A write to a program that has already ended fails; its exit says why, through `ended`.
  child.stdin!.on('error', () => {});
  return {
    send: (line) => void child.stdin!.write(`${line}\n`),
    async reply() {
      const next = await Promise.race([lines.next(), ended]);
      if (next.done) return ended;
      return JSON.parse(next.value) as unknown;
    },
    async stop() {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'close');
      child.stdin!.end();
      const timer = setTimeout(() => killGroup(child.pid!), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

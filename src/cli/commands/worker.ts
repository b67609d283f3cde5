/**
 * `switchyard worker --connection URL --tasks MODULE…`: a distributed worker. It runs only
 * the function exports of the modules it was started with, on a local pool, and leaves jobs
 * for other tasks to the workers that serve them. SIGTERM or SIGINT stops it gracefully (no
 * new jobs, the ones in hand finish, exit 0); a second one cancels the jobs in hand, which
 * another worker then takes over (exit 128 + the signal's number).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { MAX_WORKERS } from '../../core/defaults.js';
import { type RunningWorker, startWorker } from '../../distributed-worker/worker.js';
import { onStopSignals, SIGNAL_EXIT_CODES, type StopSignal } from '../../run/signals.js';
import { exitNow } from '../exit.js';
import { workerCount } from '../options.js';
import { checkModuleFile } from '../task-spec.js';

/** The environment variable `--connection` falls back to. */
const CONNECTION_ENV = 'SWITCHYARD_REDIS_URL';

interface WorkerFlags {
  connection?: string;
  tasks: string[];
  queue?: string;
  workers?: number;
  tasksPerWorker?: number;
  json?: boolean;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'run distributed tasks from a BullMQ queue on Redis, on a local pool; only tasks exported by --tasks modules are run',
    )
    .addOption(
      new Option(
        '-c, --connection <url>',
        'Redis URL: redis://[:password@]host:port/db (rediss:// for TLS); from the environment, a password stays off the command line, which other users can list',
      ).env(CONNECTION_ENV),
    )
    .requiredOption(
      '-t, --tasks <modules...>',
      'task modules (paths or URLs) whose function exports this worker may run; jobs name them by package name and path inside the package (my-app/dist/jobs.js#resize), so the caller may live in another directory',
    )
    .option(
      '-q, --queue <name>',
      'queue name (as the executor’s `queue` option)',
      queueName,
      'switchyard',
    )
    .option(
      '-w, --workers <n>',
      `local pool size, at most ${MAX_WORKERS} (default: the CPUs this process may use)`,
      workerCount,
    )
    .option('--tasks-per-worker <n>', 'tasks one local worker runs at once', count)
    .option(
      '--json',
      'print {"event":"serving",…} when ready and {"event":"stopped"} at the end on stdout',
    )
    .addHelpText(
      'after',
      `
Ctrl-C or SIGTERM once: take no new jobs, finish the ones in hand, exit 0 (with Redis
out of reach, it waits at most a few seconds for it). Again: cancel the jobs in hand,
which another worker takes over, and exit 130 (Ctrl-C) or 143 (SIGTERM).

Example:
  ${CONNECTION_ENV}=redis://:password@redis.internal:6379 switchyard worker --tasks ./dist/jobs.js`,
    )
    .action(async (flags: WorkerFlags, command: Command) => {
      // Checked here rather than by commander, whose message would not name the variable.
      const connection = flags.connection;
      if (connection === undefined || connection === '') {
        command.error(
          `error: no Redis connection: pass --connection redis://host:port, or set ${CONNECTION_ENV}=redis://[:password@]host:port (which keeps a password off the command line)`,
        );
      }
      for (const module of flags.tasks) checkModuleFile(module);
      // Listening before the worker announces itself: a signal that comes first still stops it.
      let worker: RunningWorker | undefined;
      let cancelledBy: StopSignal | undefined;
      onStopSignals({
        drain: (signal) => {
          if (!worker) {
            // Nothing taken yet, and Redis may be what it is still waiting for.
            say(`${signal} before it served: stopped`);
            exitNow(0);
          }
          say(`${signal}: finishing the jobs in hand; ${again(signal)} to cancel them`);
          worker.close().catch(() => {});
        },
        cancel: (signal) => {
          cancelledBy = signal;
          say(
            `${signal} again: cancelling the jobs in hand; another worker takes them over once their lock expires`,
          );
          if (!worker) exitNow(SIGNAL_EXIT_CODES[signal]);
          worker.close({ cancel: true }).catch(() => {});
        },
      });
      worker = await startWorker({
        connection,
        tasks: flags.tasks,
        ...(flags.queue === undefined ? {} : { queue: flags.queue }),
        ...(flags.workers === undefined ? {} : { workers: flags.workers }),
        ...(flags.tasksPerWorker === undefined ? {} : { tasksPerWorker: flags.tasksPerWorker }),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const { name, queue, tasks, capacity } = worker;
      if (flags.json) print({ event: 'serving', name, queue, tasks, capacity });
      try {
        await worker.stopped;
      } finally {
        if (cancelledBy) exitNow(SIGNAL_EXIT_CODES[cancelledBy]);
      }
      say('stopped');
      if (flags.json) print({ event: 'stopped', name });
      // Its pool and connections are closed; a Redis that went away in the middle of the
      // close may leave BullMQ a timer for good, which must not keep the process alive.
      exitNow(0);
    });
}

function say(line: string): void {
  process.stderr.write(`switchyard worker: ${line}\n`);
}

function again(signal: StopSignal): string {
  return signal === 'SIGINT' ? 'press Ctrl-C again' : `send ${signal} again`;
}

function print(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Parses `--queue`: a name the executors can use too (BullMQ refuses '' and ':'). */
function queueName(value: string): string {
  if (value.trim() === '') {
    throw new InvalidArgumentError(
      "must not be blank; give the queue name the executors use (their `queue` option, by default 'switchyard')",
    );
  }
  if (value.includes(':')) {
    throw new InvalidArgumentError(
      "must not contain ':', which BullMQ uses to build its Redis keys; choose another name, for the executors too",
    );
  }
  return value;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer >= 1');
  return n;
}

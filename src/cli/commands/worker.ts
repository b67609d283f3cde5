/**
 * `switchyard worker --connection URL --tasks MODULE…`: a distributed worker. It runs only
 * the function exports of the modules it was started with, on a local pool, and leaves jobs
 * for other tasks to the workers that serve them; SIGTERM or SIGINT stops it gracefully (no
 * new jobs, the ones in hand finish, exit 0).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { MAX_WORKERS } from '../../core/defaults.js';
import { startWorker } from '../../distributed-worker/worker.js';
import { workerCount } from '../options.js';

interface WorkerFlags {
  connection: string;
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
      )
        .env('SWITCHYARD_REDIS_URL')
        .makeOptionMandatory(),
    )
    .requiredOption(
      '-t, --tasks <modules...>',
      'task modules (paths or URLs) whose function exports this worker may run; jobs name them by package name and path inside the package (my-app/dist/jobs.js#resize), so the caller may live in another directory',
    )
    .option('-q, --queue <name>', 'queue name (as the executor’s `queue` option)', 'switchyard')
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
    .action(async (flags: WorkerFlags) => {
      // Listening before the worker announces itself: a signal that comes first still stops it gracefully.
      let stopSignal: NodeJS.Signals | undefined;
      let stop = (signal: NodeJS.Signals) => {
        stopSignal = signal;
      };
      process.once('SIGTERM', (signal) => stop(signal));
      process.once('SIGINT', (signal) => stop(signal));
      const worker = await startWorker({
        connection: flags.connection,
        tasks: flags.tasks,
        ...(flags.queue === undefined ? {} : { queue: flags.queue }),
        ...(flags.workers === undefined ? {} : { workers: flags.workers }),
        ...(flags.tasksPerWorker === undefined ? {} : { tasksPerWorker: flags.tasksPerWorker }),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const { name, queue, tasks, capacity } = worker;
      if (flags.json) print({ event: 'serving', name, queue, tasks, capacity });
      stop = (signal) => {
        process.stderr.write(`switchyard worker: ${signal}: finishing the jobs in hand\n`);
        worker.close().catch(() => {});
      };
      if (stopSignal) stop(stopSignal);
      await worker.stopped;
      process.stderr.write('switchyard worker: stopped\n');
      if (flags.json) print({ event: 'stopped', name });
    });
}

function print(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer >= 1');
  return n;
}

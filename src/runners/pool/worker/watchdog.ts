/**
 * Ends a `processes` worker when the pool's process dies, whatever the worker is doing.
 *
 * The IPC channel cannot be trusted for this: its `disconnect` event is seen by the main
 * thread's event loop, and a task that computes without yielding holds that loop forever,
 * so the worker outlived a SIGKILLed parent. Instead the parent hands each child one more
 * pipe and never writes to it; when the parent dies, however it dies, the kernel closes its
 * end, and the child's end reads end-of-file. A small thread of the child's own — with its
 * own event loop, which no task can block — waits for that and kills the whole process.
 *
 * Chosen over a thread that polls `process.ppid` (a delay of one poll, and a reparented
 * child's new parent is not always pid 1) and over an outside watchdog process (pids can
 * be reused, and it can die too). The thread costs each worker process a little memory
 * and start-up time, paid in parallel with loading the worker program.
 */
import { Worker } from 'node:worker_threads';

/** Runs in the thread, as CommonJS: `workerData` is the pipe's file descriptor. */
const SOURCE = `
const { workerData } = require('node:worker_threads');
const { Socket } = require('node:net');
const die = () => process.kill(process.pid, 'SIGKILL');
const pipe = new Socket({ fd: workerData, readable: true, writable: false });
pipe.on('data', () => {});
pipe.on('end', die);
pipe.on('close', die);
pipe.on('error', die);
`;

/**
 * Watches `fd`, a pipe whose other end only the parent holds; the process dies when it
 * closes. Resolves once the watchdog runs: the worker should take work only then, since a
 * process that exits while a thread of it is still starting waits for that thread — a
 * task's `process.exit()` was seen by the pool up to hundreds of ms late on a busy
 * machine, after its timeout had fired.
 */
export function watchParent(fd: number): Promise<void> {
  const thread = new Worker(SOURCE, { eval: true, workerData: fd, execArgv: [] });
  // The channel to the parent decides when this process may end, not the watchdog.
  thread.unref();
  return new Promise((resolve) => {
    thread.once('online', resolve);
    // Without it the worker still works, and still ends with an orderly parent: say so, and go on.
    thread.once('error', (error) => {
      process.emitWarning(
        `switchyard: this worker process cannot watch for its parent's death, so it may outlive a parent that is killed (${error.message})`,
      );
      resolve();
    });
  });
}

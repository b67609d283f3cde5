/**
 * `processes`: each worker is a child process started with `child_process.fork`, spoken to
 * over its IPC channel with `serialization: 'advanced'` (structured clone, like threads).
 * Memory caps become `--max-old-space-size`/`--stack-size`; a child that runs out of heap
 * aborts, which is reported as a memory-limit death. The child ends itself when its
 * parent dies, even in the middle of a task that never yields (see `worker/watchdog.ts`),
 * so no orphan outlives the caller.
 */
import type { Socket } from 'node:net';
import type { ResourceLimits } from 'node:worker_threads';
import { builtin } from '../../../core/builtins.js';
import type { FromWorkerWire } from '../protocol.js';
import type { RunningInput, TransportSpec } from '../transport.js';
import { SETTINGS_ENV, type WorkerSettings } from '../worker/port.js';
import { workerExecArgv, workerMain } from './entry.js';
import { ownBuffers } from './own-buffers.js';

const childProcess = builtin<typeof import('node:child_process')>('node:child_process');

/**
 * The child's file descriptor of the pipe it watches to die with its parent (see
 * `worker/watchdog.ts`): the slot after stdin, stdout, stderr and the IPC channel.
 */
const PARENT_PIPE = 4;

/** How V8 ends a process that exhausted its heap. */
const OUT_OF_MEMORY_SIGNALS = new Set(['SIGABRT', 'SIGTRAP']);
const OUT_OF_MEMORY_EXIT_CODE = 134;

export const processTransport: TransportSpec = {
  name: 'process',
  spawn({ workerId, tasksPerWorker, resourceLimits }, events) {
    const settings: WorkerSettings = { workerId, tasksPerWorker, parentPipe: PARENT_PIPE };
    const child = childProcess().fork(workerMain(), [], {
      serialization: 'advanced',
      execArgv: workerExecArgv(memoryFlags(resourceLimits)),
      env: { ...process.env, [SETTINGS_ENV]: JSON.stringify(settings) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
    });
    // This process never writes to it: its job is to close when this process dies. The
    // child writes to it once, as it ends itself: the input it was running (`worker/port.ts`).
    const parentPipe = child.stdio[PARENT_PIPE] as Socket | null;
    const marks: Buffer[] = [];
    parentPipe?.on('data', (chunk: Buffer) => marks.push(chunk));
    // An error here says nothing the child's death does not: it is seen there.
    parentPipe?.on('error', () => {});
    const capped = resourceLimits?.maxOldGenerationSizeMb !== undefined;
    let spawnError: Error | undefined;
    // Node decodes a typed array as a view into its shared read buffer: copy each out.
    child.on('message', (batch: readonly FromWorkerWire[]) => events.message(ownBuffers(batch)));
    child.on('error', (error) => {
      spawnError = error;
    });
    // 'close', not 'exit': 'exit' may come before the last IPC messages are delivered, and
    // a result that arrived after its worker's death would be failed as a crash.
    child.on('close', (exitCode, signal) => {
      const memoryLimit =
        capped &&
        ((signal !== null && OUT_OF_MEMORY_SIGNALS.has(signal)) ||
          exitCode === OUT_OF_MEMORY_EXIT_CODE);
      events.exit({
        exitCode,
        signal,
        memoryLimit,
        detail: spawnError?.message,
        running: markOf(Buffer.concat(marks)),
      });
    });
    return {
      send: (batch) => {
        child.send(batch as unknown as never);
      },
      keepAlive: (busy) => {
        const channel = child.channel as { ref(): void; unref(): void } | null | undefined;
        if (busy) {
          child.ref();
          channel?.ref();
          parentPipe?.ref();
        } else {
          child.unref();
          channel?.unref();
          parentPipe?.unref();
        }
      },
      terminate: () => void child.kill('SIGKILL'),
    };
  },
};

/**
 * The input a child named as it ended itself; `undefined` when it named none (it was killed,
 * ran out of memory, or had nothing, or several inputs awaiting, at that moment): the pool
 * then goes by what it knows of the child's jobs.
 */
function markOf(bytes: Buffer): RunningInput | undefined {
  if (bytes.length !== 8) return undefined;
  const [jobId, offset] = new Int32Array(new Uint8Array(bytes).buffer);
  return jobId ? { jobId, offset: offset! } : undefined;
}

function memoryFlags(limits: ResourceLimits | undefined): string[] {
  const flags: string[] = [];
  if (limits?.maxOldGenerationSizeMb !== undefined)
    flags.push(`--max-old-space-size=${limits.maxOldGenerationSizeMb}`);
  if (limits?.maxYoungGenerationSizeMb !== undefined)
    // The young generation is two semi-spaces plus as much again for promotion: a third each.
    flags.push(
      `--max-semi-space-size=${Math.max(1, Math.floor(limits.maxYoungGenerationSizeMb / 3))}`,
    );
  if (limits?.stackSizeMb !== undefined)
    flags.push(`--stack-size=${Math.floor(limits.stackSizeMb * 1024)}`);
  return flags;
}

/** What `/proc` says about processes: the test's way to see worker processes and orphans. */
import { readdirSync, readFileSync } from 'node:fs';

/** `pid`'s parent and state (`R`, `S`, `Z`…), or `undefined` once it is gone. */
function stat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, in parentheses, may hold spaces: the fields follow its last ')'.
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(ppid), state: state! };
  } catch {
    return undefined;
  }
}

/** Whether `pid` still runs: a zombie has ended, it only waits to be reaped. */
export function alive(pid: number): boolean {
  const found = stat(pid);
  return found !== undefined && found.state !== 'Z';
}

/** The live children of `parent` that run switchyard's pool worker program. */
export function workersOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      const found = stat(pid);
      return found?.ppid === parent && found.state !== 'Z' && runsWorker(pid);
    });
}

/** Its command line names the worker program (`worker/main.js`, or its bundle `worker-….mjs`). */
function runsWorker(pid: number): boolean {
  try {
    return /[\\/]worker(?:[\\/]main\.js|-[^\0]*\.mjs)/.test(
      readFileSync(`/proc/${pid}/cmdline`, 'utf8'),
    );
  } catch {
    return false;
  }
}

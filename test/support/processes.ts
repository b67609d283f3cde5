/** Process facts the clean-up tests check: is a process gone, and which processes did another start. */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether `pid` has ended: no such process, or a zombie nobody has reaped yet. */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return process.platform === 'linux';
  }
}

/**
 * Waits until `pid` is gone; false if it is still there after `patienceMs` (a bound on
 * how long the test waits, generous so that a loaded machine does not fail it).
 */
export async function goneWithin(pid: number, patienceMs: number): Promise<boolean> {
  const deadline = Date.now() + patienceMs;
  while (!isGone(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** The live descendants of `pid` with their command lines (Linux: read from /proc). */
export function descendants(pid: number): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const parent = pending.pop()!;
    let children: number[] = [];
    try {
      children = readdirSync(`/proc/${parent}/task`).flatMap((tid) =>
        readFileSync(`/proc/${parent}/task/${tid}/children`, 'utf8')
          .split(' ')
          .filter((s) => s.length > 0)
          .map(Number),
      );
    } catch {
      // ended meanwhile
    }
    for (const child of children) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ');
      } catch {
        // ended meanwhile
      }
      found.push({ pid: child, cmdline });
      pending.push(child);
    }
  }
  return found;
}

/** Polls `find` until it returns something, or gives up after `patienceMs`. */
export async function eventually<T>(find: () => T | undefined, patienceMs: number): Promise<T> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not found within ${patienceMs} ms`);
    await sleep(50);
  }
}

/**
 * CPU time (user + system) spent by this process and by every process it started.
 *
 * `process.cpuUsage()` covers this process, worker threads included. Child processes need
 * more: `getrusage(RUSAGE_CHILDREN)` — which Node does not expose anyway — counts only
 * children that have exited and been reaped, and a process pool keeps its children alive
 * for the whole measurement. So on Linux this reads `/proc`: the reaped children's time from
 * this process's own `cutime`/`cstime`, and each live descendant's time from its `stat`.
 * On other platforms only this process is counted.
 *
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';

// USER_HZ: the unit of /proc/<pid>/stat times. 100 on every mainstream Linux build.
const TICK_MS = 10;

/**
 * Milliseconds of CPU time used so far by this process and its descendants, but for the
 * processes in `except` and their own descendants (a server whose work is not measured).
 */
export function cpuTimeMs(except: readonly number[] = []): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000 + descendantsCpuMs(except);
}

/** Whether {@link cpuTimeMs} can see child processes on this platform. */
export const countsChildProcesses = process.platform === 'linux';

function descendantsCpuMs(except: readonly number[]): number {
  if (!countsChildProcesses) return 0;
  const own = statFields('self');
  if (!own) return 0;
  let ticks = own.reapedChildrenTicks;
  for (const pid of descendants(process.pid, except)) {
    const stat = statFields(String(pid));
    if (stat) ticks += stat.ownTicks + stat.reapedChildrenTicks;
  }
  return ticks * TICK_MS;
}

/** The live descendants of `pid` but those under `except`, from the kernel's per-thread `children` lists. */
function descendants(pid: number, except: readonly number[]): number[] {
  const found: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const parent = pending.pop()!;
    for (const child of childrenOf(parent)) {
      if (except.includes(child)) continue;
      found.push(child);
      pending.push(child);
    }
  }
  return found;
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .split(' ')
        .filter((s) => s.length > 0)
        .map(Number),
    );
  } catch {
    return []; // the process ended meanwhile, or the kernel lacks CONFIG_PROC_CHILDREN
  }
}

function statFields(pid: string): { ownTicks: number; reapedChildrenTicks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14–17 of proc(5): utime, stime, cutime, cstime; fields[0] here is field 3.
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return { ownTicks: utime! + stime!, reapedChildrenTicks: cutime! + cstime! };
  } catch {
    return undefined;
  }
}

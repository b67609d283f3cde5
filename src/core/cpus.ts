/**
 * How many CPUs this process may really use: `os.availableParallelism()`, lowered by a
 * cgroup CPU quota. A container limited to 2 CPUs on a 64-core host sees 64 cores but
 * gets 2 CPUs of time; a pool of 64 would only thrash.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** The default pool size: usable CPUs, rounded down, at least 1. */
export function defaultPoolSize(
  cgroupRoot = '/sys/fs/cgroup',
  cores = availableParallelism(),
): number {
  const quota = cgroupCpuQuota(cgroupRoot);
  const usable = quota === undefined ? cores : Math.min(cores, quota);
  return Math.max(1, Math.floor(usable));
}

/**
 * CPUs granted by the cgroup quota under `root` (cgroup v2 `cpu.max`, else v1
 * `cpu.cfs_quota_us` / `cpu.cfs_period_us`); `undefined` when there is none.
 */
export function cgroupCpuQuota(root: string): number | undefined {
  const v2 = read(join(root, 'cpu.max'));
  if (v2 !== undefined) {
    const [quota, period] = v2.split(/\s+/);
    return ratio(quota, period);
  }
  for (const dir of [join(root, 'cpu'), join(root, 'cpu,cpuacct'), root]) {
    const quota = read(join(dir, 'cpu.cfs_quota_us'));
    if (quota !== undefined) return ratio(quota, read(join(dir, 'cpu.cfs_period_us')));
  }
  return undefined;
}

/** `quota / period` when both are positive numbers (`max` or `-1` mean no quota). */
function ratio(quota: string | undefined, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  return q > 0 && p > 0 ? q / p : undefined;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cgroupCpuQuota, defaultPoolSize } from '../../../src/core/cpus.js';

/** A fake cgroup tree holding the given files. */
function cgroup(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-cgroup-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('default pool size', () => {
  it('a cgroup v2 quota of 2 CPUs on a 64-core host gives 2 workers', () => {
    assert.equal(defaultPoolSize(cgroup({ 'cpu.max': '200000 100000\n' }), 64), 2);
  });

  it('a fractional quota is rounded down, but never below 1', () => {
    assert.equal(defaultPoolSize(cgroup({ 'cpu.max': '250000 100000' }), 64), 2);
    assert.equal(defaultPoolSize(cgroup({ 'cpu.max': '50000 100000' }), 64), 1);
  });

  it('cgroup v2 "max" means no quota: every core counts', () => {
    assert.equal(defaultPoolSize(cgroup({ 'cpu.max': 'max 100000' }), 8), 8);
  });

  it('a cgroup v1 quota (cfs_quota_us / cfs_period_us) is read too', () => {
    const root = cgroup({ 'cpu/cpu.cfs_quota_us': '300000', 'cpu/cpu.cfs_period_us': '100000' });
    assert.equal(cgroupCpuQuota(root), 3);
    assert.equal(defaultPoolSize(root, 16), 3);
  });

  it('cgroup v1 quota -1 means no quota', () => {
    const root = cgroup({ 'cpu.cfs_quota_us': '-1', 'cpu.cfs_period_us': '100000' });
    assert.equal(cgroupCpuQuota(root), undefined);
    assert.equal(defaultPoolSize(root, 4), 4);
  });

  it('a quota above the core count does not raise the pool size', () => {
    assert.equal(defaultPoolSize(cgroup({ 'cpu.max': '1600000 100000' }), 4), 4);
  });

  it('without cgroup files the pool has one worker per core', () => {
    assert.equal(defaultPoolSize(cgroup({}), 6), 6);
  });
});

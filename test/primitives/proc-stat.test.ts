import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  openProcFile,
  openThreadCpu,
  ownThreadId,
  parseChildrenStat,
  parseSchedstat,
  parseSchedstatWait,
  parseStat,
  totalCpuMs,
} from '../../src/primitives/proc-stat.js';

const linux = process.platform === 'linux' && existsSync('/proc/thread-self');

describe("a thread's counters under /proc", () => {
  it('reads the run time from a schedstat line, in ms', () => {
    assert.equal(parseSchedstat('1234567890 5000 42\n'), 1234.56789);
    assert.throws(() => parseSchedstat(''), /schedstat: expected/);
    assert.throws(() => parseSchedstat('x 1 2'), /schedstat: expected/);
    assert.equal(parseSchedstatWait('1234567890 5000000 42\n'), 5);
    assert.throws(() => parseSchedstatWait('1 x 2'), /schedstat: expected/);
  });

  it('reads utime + stime from a stat line, even when the command name holds ") ("', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[11] = '150'; // utime, field 14
    fields[12] = '25'; // stime, field 15
    assert.equal(parseStat(`4242 (node ) (odd) ${fields.join(' ')}`), 1750);
    assert.throws(() => parseStat('4242 (node) S'), /stat: expected/);
  });

  it("reads the children's cutime + cstime from a stat line", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[13] = '40'; // cutime, field 16
    fields[14] = '2'; // cstime, field 17
    assert.equal(parseChildrenStat(`4242 (node ) (odd) ${fields.join(' ')}`), 420);
    assert.throws(
      () => parseChildrenStat('4242 (node) S 1 2 3 4 5 6 7 8 9 10 11 12'),
      /stat: expected "<pid> \(<comm>\) <state> … <utime> <stime> <cutime> <cstime> …"/,
    );
  });

  it("adds up threads' CPU time only when every one of them says", () => {
    assert.equal(totalCpuMs([]), 0, 'no thread has used any');
    assert.equal(totalCpuMs([1.5, 2]), 3.5);
    assert.equal(totalCpuMs([1.5, undefined, 2]), undefined);
  });

  it('reads a file again through one descriptor, and gives up on one it cannot open or parse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-proc-'));
    try {
      const file = join(dir, 'schedstat');
      writeFileSync(file, '2000000 0 1\n');
      const counters = openProcFile(file, parseSchedstat);
      assert.ok(counters, 'a readable file opens');
      assert.equal(counters.read(), 2);
      writeFileSync(file, '5000000 0 1\n');
      assert.equal(counters.read(), 5, 'each read sees what the file says now');
      counters.close();
      assert.equal(openProcFile(join(dir, 'missing'), parseSchedstat), undefined);
      writeFileSync(file, 'not counters\n');
      assert.equal(openProcFile(file, parseSchedstat), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("finds the calling thread's kernel id: the process id on the main thread", {
    skip: linux ? false : 'no /proc/thread-self here',
  }, () => {
    // A worker thread's own is checked where the pool reads its CPU time (test/runners/pool/worker-cpu.test.ts).
    assert.equal(ownThreadId(), process.pid);
    const counters = openThreadCpu(process.pid);
    assert.ok(counters, "the main thread's CPU time reads");
    assert.ok(counters.file.read() > 0);
    counters.file.close();
    assert.equal(openThreadCpu(2 ** 30), undefined, 'no such thread');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benchSettings, QUICK } from '../../src/bench/settings.js';
import { judge, notes } from '../../src/bench/verdicts.js';
import { absent, around, job, machine, ran } from './documents.js';

const settings = benchSettings();

describe('verdicts', () => {
  it('I/O: modes within noise of each other are a tie, said as such, and the simplest is recommended', () => {
    const j = judge(
      job('io', [
        ran('sync', [16_300], { cpuMs: 340 }),
        ran('loop', around(118, 0.06), { cpuMs: 45 }),
        ran('threads', around(114, 0.06), { cpuMs: 75 }),
        ran('processes', around(121, 0.06), { cpuMs: 80 }),
      ]),
      machine,
      settings,
    );
    assert.equal(j.recommended, 'loop');
    assert.deepEqual(j.tied, ['loop', 'threads', 'processes']);
    assert.match(
      j.verdicts[0]!,
      /^I\/O-bound: loop, threads and processes tie: their spreads overlap/,
    );
    assert.match(j.verdicts[0]!, /cannot order them/);
    assert.match(j.verdicts[0]!, /loop is recommended as the simplest of them \(one thread/);
    assert.match(
      j.verdicts[0]!,
      /and the one that used the least CPU \(45 ms, against threads 75 ms, processes 80 ms\)/,
    );
    assert.doesNotMatch(j.verdicts.join(' '), /\bwon\b/, 'no winner is named in a tie');
    assert.ok(
      j.verdicts.some((v) => /sync waits for each of the 160 replies in turn \(16\.3 s\)/.test(v)),
    );
  });

  it('I/O: a mode that stands apart is named, with the runner-up it stands apart from', () => {
    const j = judge(
      job('io', [ran('sync', [16_300]), ran('loop', around(110)), ran('threads', around(140))]),
      machine,
      settings,
    );
    assert.equal(j.recommended, 'loop');
    assert.deepEqual(j.tied, []);
    assert.match(
      j.verdicts[0]!,
      /^I\/O-bound: loop is recommended: it was the fastest, 110 ms, middle half 109–111 ms/,
    );
    assert.match(
      j.verdicts[0]!,
      /1\.10× the latency bound \(100 ms\), clear of the runner-up threads \(140 ms/,
    );
  });

  it('CPU: a tie of threads and processes recommends threads, and says when it is not the leanest', () => {
    const j = judge(
      job('cpu', [
        ran('sync', around(2_000), { cpuMs: 2_000 }),
        ran('loop', around(2_010), { cpuMs: 2_010 }),
        ran('threads', around(1_030, 0.03), { cpuMs: 2_090 }),
        ran('processes', around(1_020, 0.03), { cpuMs: 1_900 }),
      ]),
      machine,
      settings,
    );
    assert.equal(j.recommended, 'threads');
    assert.deepEqual(j.tied, ['threads', 'processes']);
    assert.match(j.verdicts[0]!, /^CPU-bound: threads and processes tie/);
    assert.match(j.verdicts[0]!, /; processes used less CPU \(1\.90 s, against 2\.09 s\)/);
    assert.match(j.verdicts[0]!, /no GIL/);
    assert.ok(
      j.verdicts.some((v) =>
        /^loop is within noise of sync: cooperative multitasking cannot help CPU work/.test(v),
      ),
    );
  });

  it('CPU times within noise of each other count as the same', () => {
    const j = judge(
      job('cpu', [
        ran('sync', around(2_000), { cpuMs: 2_000 }),
        ran('threads', around(1_030, 0.03), { cpuMs: 2_060 }),
        ran('processes', around(1_020, 0.03), { cpuMs: 2_040 }),
      ]),
      machine,
      settings,
    );
    assert.match(
      j.verdicts[0]!,
      /and used as little CPU as any of them \(2\.06 s, against processes 2\.04 s\)/,
    );
  });

  it('never names a winner that the runs do not separate: two modes within noise are a tie, not a win', () => {
    const j = judge(
      job('cpu', [ran('sync', around(2_000, 0.1)), ran('loop', around(1_950, 0.1))]),
      machine,
      settings,
    );
    assert.deepEqual(j.tied, ['sync', 'loop']);
    assert.equal(j.recommended, 'sync');
    assert.doesNotMatch(j.verdicts[0]!, /fastest/);
  });

  it('sizes too small to compare models say so, and recommend nothing', () => {
    const figures = job('cpu', [ran('sync', around(10)), ran('threads', around(7))]);
    const quick = judge(figures, machine, benchSettings(QUICK));
    assert.equal(quick.recommended, null);
    assert.deepEqual(quick.tied, []);
    assert.deepEqual(quick.verdicts.length, 1);
    assert.match(
      quick.verdicts[0]!,
      /^CPU-bound: too small to compare models: the fastest mode took 7\.0 ms.*run without --quick/,
    );
    assert.match(judge(figures, machine, settings).verdicts[0]!, /use larger sizes/);
  });

  it('wrong results are called out and do not count', () => {
    const j = judge(
      job('cpu', [ran('sync', around(2_000)), ran('threads', around(900), { verified: false })]),
      machine,
      settings,
    );
    assert.match(j.verdicts[0]!, /WRONG RESULTS from threads/);
    assert.equal(j.recommended, 'sync');
  });

  it('no mode ran: the reasons, and no recommendation', () => {
    const j = judge(
      job('io', [absent('threads', 'not available: <not built>')]),
      machine,
      settings,
    );
    assert.equal(j.recommended, null);
    assert.match(j.verdicts[0]!, /no mode could run \(threads: not available: <not built>\)/);
  });

  it('Python beside Node: the GIL on the CPU job, the same lesson on the I/O job', () => {
    const cpu = judge(
      job('cpu', [
        ran('sync', around(2_000)),
        ran('threads', around(1_010), { cpuMs: 1_970 }),
        ran('python sync', [70_000]),
        ran('python threads', [71_000], { cpuMs: 70_500 }),
        ran('python processes', [36_000], { cpuMs: 70_200 }),
        absent('python asyncio', 'not run: coroutines take turns'),
      ]),
      machine,
      settings,
    );
    const contrast = cpu.verdicts.at(-1)!;
    assert.match(
      contrast,
      /^Python on the same inputs: its threads were no faster than its sync \(71\.0 s against 70\.0 s\) and kept 0\.99 cores busy: the GIL lets one thread at a time run Python code/,
    );
    assert.match(contrast, /its processes ran at 1\.94× its sync and kept 1\.95 cores busy/);
    assert.match(contrast, /Node's threads ran at 1\.98× Node's sync and kept 1\.95 cores busy/);
    assert.match(contrast, /Node's sync computed the job 35\.00× as fast as Python's/);
    assert.equal(cpu.recommended, 'threads', 'Python rows never take part in the recommendation');

    const io = judge(
      job('io', [
        ran('loop', around(115)),
        ran('python asyncio', around(130)),
        ran('python threads', around(160)),
        ran('python processes', [8_200]),
      ]),
      machine,
      settings,
    );
    assert.match(
      io.verdicts.at(-1)!,
      /^Python on the same server: asyncio took 130 ms \(1\.30× the latency bound\) on one thread, where Node's loop took 115 ms/,
    );
    assert.match(
      io.verdicts.at(-1)!,
      /the process pool took 8\.20 s: each process waits for one reply at a time/,
    );
  });

  it('Python threads that the runs do show faster than Python sync are not called "no faster"', () => {
    const cpu = judge(
      job('cpu', [
        ran('sync', around(2_000)),
        ran('python sync', [73_400], { cpuMs: 29_900 }),
        ran('python threads', [46_900], { cpuMs: 33_400 }),
      ]),
      machine,
      settings,
    );
    assert.match(
      cpu.verdicts.at(-1)!,
      /its threads ran at 1\.57× its sync \(46\.9 s against 73\.4 s\) and kept 0\.71 cores busy/,
    );
  });

  it('a row below the physical limit is called out as drift, not taught as a speedup', () => {
    const cpu = judge(
      job('cpu', [
        ran('sync', around(2_000)),
        ran('threads', around(1_000)),
        ran('python sync', [85_500]),
        ran('python processes', [30_100], { cpuMs: 55_200 }),
      ]),
      machine,
      settings,
    );
    assert.match(
      cpu.verdicts.at(-1)!,
      /^python processes at 0\.70× of it finished below the physical limit, which no model can do/,
    );
    assert.ok(!cpu.verdicts.some((v) => v.includes('threads at')), 'threads at 1.00× is no drift');
  });

  it('no verdict or note is a project target', () => {
    const all = [
      ...judge(job('io', [ran('sync', [16_300]), ran('loop', around(118))]), machine, settings)
        .verdicts,
      ...judge(
        job('cpu', [ran('sync', around(2_000)), ran('threads', around(1_000))]),
        machine,
        settings,
      ).verdicts,
      ...notes({ ...machine, loadAverage: 3 }),
    ];
    assert.ok(all.length >= 4);
    for (const line of all) assert.doesNotMatch(line, /target|met|missed/i);
  });

  it('a parallel mode that did not get ahead on a busy machine: the verdict says why', () => {
    const figures = job('cpu', [ran('sync', around(2_000)), ran('threads', around(1_990))]);
    const busy = judge(figures, { ...machine, loadAverage: 3.5 }, settings);
    assert.equal(busy.recommended, 'sync');
    assert.match(
      busy.verdicts[0]!,
      /other work on the machine \(load average 3\.50 on 2 cores\) left them no core to spare/,
    );
    assert.doesNotMatch(judge(figures, machine, settings).verdicts[0]!, /load average/);
  });

  it('a busy machine is noted, an idle one is not', () => {
    assert.match(
      notes({ ...machine, loadAverage: 1.5 })[0]!,
      /busy \(load average 1\.50 on 2 cores\)/,
    );
    assert.deepEqual(notes(machine), []);
  });
});

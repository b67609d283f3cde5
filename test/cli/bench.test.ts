import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type BenchDocument, isPython, type ModeResult } from '../../src/bench/types.js';
import { AVAILABLE_MODES } from '../../src/executor/create.js';
import { type Finished, runCli } from './spawn.js';

const ALL_MODES = ['sync', 'loop', 'threads', 'processes', 'auto', 'distributed'] as const;

function switchyard(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return runCli(args, undefined, env);
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

describe('switchyard bench --quick --json', { timeout: 180_000 }, () => {
  let outcome: Finished;
  let doc: BenchDocument;
  const dir = mkdtemp(join(tmpdir(), 'switchyard-bench-'));

  it('exits 0 and prints one JSON document on stdout', async () => {
    outcome = await switchyard([
      'bench',
      '--quick',
      '--json',
      '--modes',
      ALL_MODES.join(','),
      '--report',
      join(await dir, 'report.html'),
    ]);
    assert.equal(outcome.code, 0, outcome.stderr);
    doc = JSON.parse(outcome.stdout) as BenchDocument;
  });

  it('describes the machine', () => {
    assert.ok(Number.isInteger(doc.machine.cpus) && doc.machine.cpus >= 1);
    assert.equal(doc.machine.node, process.version);
    assert.equal(doc.machine.platform, process.platform);
  });

  it('has the io and the cpu job, each with one result per requested mode, in order', () => {
    assert.deepEqual(
      doc.jobs.map((j) => j.job),
      ['io', 'cpu'],
    );
    for (const job of doc.jobs) {
      assert.deepEqual(
        job.results.map((r) => r.mode),
        [...ALL_MODES],
      );
      assert.equal(typeof job.limitMs, 'number');
      assert.ok(job.limitMs! > 0);
    }
  });

  it('verifies every result of every mode that ran, and runs every mode this build has', () => {
    for (const job of doc.jobs) {
      for (const r of job.results) {
        if (!isPython(r.mode) && AVAILABLE_MODES.includes(r.mode) && r.mode !== 'distributed') {
          assert.notEqual(r.wallMs, null, `${job.job}/${r.mode}: ${r.reason}`);
        }
        if (r.wallMs !== null) assert.equal(r.verified, true, `${job.job}/${r.mode}`);
      }
    }
  });

  it('relates each figure to sync and to the physical limit consistently', () => {
    for (const job of doc.jobs) {
      const sync = job.results.find((r) => r.mode === 'sync')!;
      assert.equal(sync.speedup, 1);
      for (const r of job.results.filter(
        (x): x is ModeResult & { wallMs: number } => x.wallMs !== null,
      )) {
        assert.ok(r.wallMs > 0 && r.startupMs! >= 0 && r.cpuMs! >= 0, `${job.job}/${r.mode}`);
        assert.ok(r.runs.length >= 1, 'every run is in the document');
        assert.ok(r.runs.every((run) => run.wallMs > 0 && run.cpuMs >= 0));
        assert.ok(
          r.spreadMs!.low <= r.wallMs && r.wallMs <= r.spreadMs!.high,
          'the median lies in the middle half',
        );
        assert.ok(close(r.speedup!, sync.wallMs! / r.wallMs), `${job.job}/${r.mode} speedup`);
        assert.ok(close(r.limitRatio!, r.wallMs / job.limitMs!), `${job.job}/${r.mode} limitRatio`);
      }
    }
    const cpu = doc.jobs.find((j) => j.job === 'cpu')!;
    const sync = cpu.results.find((r) => r.mode === 'sync')!;
    assert.ok(close(cpu.limitMs!, sync.wallMs! / doc.machine.cores));
  });

  it('lists an unavailable mode with wallMs null and a reason, never a crash', () => {
    for (const job of doc.jobs) {
      const distributed = job.results.find((r) => r.mode === 'distributed')!;
      assert.equal(distributed.wallMs, null);
      assert.equal(distributed.speedup, null);
      assert.equal(distributed.verified, false);
      assert.match(distributed.reason!, /--connection/);
      for (const r of job.results.filter((x) => x.wallMs === null)) {
        assert.ok(r.reason && r.reason.length > 0, `${job.job}/${r.mode} has a reason`);
      }
    }
  });

  it('states per job its verdicts in words, and at --quick sizes recommends nothing', () => {
    const [io, cpu] = doc.jobs;
    assert.ok(io!.verdicts.some((v) => v.startsWith('I/O-bound')));
    assert.ok(cpu!.verdicts.some((v) => v.startsWith('CPU-bound')));
    for (const job of doc.jobs) {
      assert.ok('recommended' in job && Array.isArray(job.tied));
      assert.equal(job.recommended, null);
      assert.match(job.verdicts.join(' '), /too small to compare models.*run without --quick/);
    }
    assert.match(doc.repeats, /until the middle half of its runs lies within ±5%/);
  });

  it('shows no project targets', () => {
    assert.doesNotMatch(outcome.stdout, /target|\bmet\b|missed/i);
  });

  it('writes the HTML report it was asked for, self-contained', async () => {
    const html = await readFile(join(await dir, 'report.html'), 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /Target/);
    assert.equal((html.match(/<figure class="chart"/g) ?? []).length, 2);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    await rm(await dir, { recursive: true, force: true });
  });
});

describe('switchyard bench, given bad input', { timeout: 60_000 }, () => {
  const cases: [string[], RegExp][] = [
    [['--sites', '0'], /--sites/],
    [['--latency', '-5'], /--latency/],
    [['--repeat', '1.5'], /--repeat/],
    [['--workers', 'many'], /--workers/],
    [['--workers', '100000'], /--workers.*must be an integer >= 1 and <= 1024/],
    [['--scale', '0'], /--scale/],
    [['--scale', '1000'], /--scale.*<= 858/],
    [['--compare', 'ruby'], /'ruby'.*choose from python/],
    [['--modes', 'sync,fibers'], /'fibers'.*choose from/],
    [['--jobs', 'gpu'], /'gpu'.*choose from io, cpu/],
    [['--frobnicate'], /unknown option/],
    // Before the bench, not after it (with --quick, so that a bench started anyway ends soon).
    [
      ['--quick', '--report', '/nonexistent/dir/r.html'],
      /^switchyard: --report \/nonexistent\/dir\/r\.html: the folder \/nonexistent\/dir does not exist; create it or choose another path$/,
    ],
    [
      ['--quick', '--report', tmpdir()],
      /^switchyard: --report .*: is a folder, not a file; name a file, such as .*report\.html$/,
    ],
    [
      ['--quick', '--modes', 'distributed'],
      /^error: --modes distributed needs --connection redis:\/\/host:port .*; add it, or choose other modes$/,
    ],
  ];
  for (const [args, reason] of cases) {
    it(`exits non-zero and says why for ${args.join(' ')}`, async () => {
      const { code, stdout, stderr } = await switchyard(['bench', ...args]);
      assert.notEqual(code, 0);
      assert.equal(stdout, '');
      assert.match(stderr.split('\n')[0]!, reason);
    });
  }

  it('prints a help that names every option with its default', async () => {
    const { code, stdout } = await switchyard(['bench', '--help']);
    assert.equal(code, 0);
    const options = stdout.slice(stdout.indexOf('Options:'), stdout.indexOf('-h, --help'));
    // Each option's description, however commander wraps it, ends with its default.
    const descriptions = options.split(/\n\s{2}(?=-)/).slice(1);
    assert.ok(descriptions.length >= 13);
    for (const d of descriptions) assert.match(d.replace(/\s+/g, ' '), /\(default: [^)]+\)\s*$/, d);
    for (const flag of [
      '--compare',
      '--jobs',
      '--modes',
      '--sites',
      '--latency',
      '--concurrency',
      '--workers',
      '--repeat',
      '--scale',
      '--quick',
      '--json',
      '--report',
      '--connection',
    ]) {
      assert.ok(stdout.includes(flag), flag);
    }
  });
});

describe('switchyard bench --compare python without python3', { timeout: 120_000 }, () => {
  it('lists the Python rows with the reason, and runs the modes', async () => {
    const { code, stdout, stderr } = await switchyard(
      ['bench', '--quick', '--jobs', 'io', '--modes', 'sync', '--compare', 'python'],
      { PATH: '/nonexistent', NO_COLOR: '1' },
    );
    assert.equal(code, 0, stderr);
    for (const row of ['python sync', 'python threads', 'python asyncio', 'python processes']) {
      assert.match(stdout, new RegExp(`^${row} +not available: python3 not found$`, 'm'));
    }
    assert.match(stdout, /^sync +\d/m);
  });
});

describe('switchyard bench output on a pipe', { timeout: 120_000 }, () => {
  it('prints plain text tables without colour codes, and progress as plain lines on stderr', async () => {
    const { code, stdout, stderr } = await switchyard(
      ['bench', '--quick', '--modes', 'sync,loop'],
      { NO_COLOR: '1' },
    );
    assert.equal(code, 0, stderr);
    assert.ok(!stdout.includes('\u001b['), 'no ANSI escape codes');
    assert.match(stdout, /I\/O-bound job/);
    assert.match(stdout, /CPU-bound job/);
    assert.match(stdout, /Verdict/);
    assert.match(stdout, /^mode +wall +middle half +runs +with start-up/m);
    assert.match(stderr, /bench: io sync: \d.* \(middle half .*, \d+ runs?\)/);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runBench } from '../../src/bench/lab.js';
import { pythonVersion } from '../../src/bench/python-session.js';
import { benchSettings } from '../../src/bench/settings.js';
import { type BenchDocument, PYTHON_MODES } from '../../src/bench/types.js';
import { descendants, eventually, goneWithin } from '../support/processes.js';

const PARENT = fileURLToPath(new URL('../fixtures/python-parent.ts', import.meta.url));

/** A tiny bench with the Python rows: sync only on switchyard's side, two runs each. */
const tiny = benchSettings({
  modes: ['sync'],
  compare: ['python'],
  sites: 8,
  latencyMs: 20,
  scale: 0.02,
  repeat: { kind: 'fixed', runs: 2 },
  workers: 2,
});

/** Runs `work` with PATH set to `path` (what `python3` resolves through). */
async function withPath<T>(path: string, work: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = path;
  try {
    return await work();
  } finally {
    process.env.PATH = saved;
  }
}

/** A directory with one executable `python3`: a shell script standing in for Python. */
function fakePython(t: { after: (fn: () => void) => void }, script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-python-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'python3');
  writeFileSync(
    file,
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Python 3.99.0"; exit 0; fi\n${script}\n`,
  );
  chmodSync(file, 0o755);
  return `${dir}:/usr/bin:/bin`;
}

function rows(doc: BenchDocument, job: 'io' | 'cpu') {
  return doc.jobs.find((j) => j.job === job)!.results.filter((r) => r.mode.startsWith('python'));
}

describe('the classic Python programs beside the modes (--compare python)', {
  timeout: 180_000,
}, () => {
  it('run the same jobs on the same inputs, verified, as rows named "python <model>"', async (t) => {
    if (!pythonVersion()) return t.skip('python3 is not installed');
    const doc = await runBench(tiny);
    assert.match(doc.machine.python ?? '', /^Python 3\./);
    for (const job of ['io', 'cpu'] as const) {
      const got = rows(doc, job);
      assert.deepEqual(
        got.map((r) => r.mode),
        [...PYTHON_MODES],
      );
      for (const r of got) {
        if (job === 'cpu' && r.mode === 'python asyncio') {
          assert.equal(r.wallMs, null);
          assert.match(r.reason!, /^not run: coroutines take turns on one thread/);
          continue;
        }
        assert.equal(r.reason, undefined, `${job}/${r.mode}`);
        assert.equal(r.verified, true, `${job}/${r.mode} gave the right outputs`);
        assert.equal(r.runs.length, 2);
        assert.ok(r.startupMs! > 0 && r.wallMs! > 0 && r.cpuMs! >= 0);
      }
      const pySync = got.find((r) => r.mode === 'python sync')!;
      assert.equal(pySync.speedup, 1, 'Python rows are compared with python sync');
    }
  });

  it('without python3 on the PATH, every row says so and the modes still run', async () => {
    const doc = await withPath('/nonexistent', () => runBench(tiny));
    assert.equal(doc.machine.python, undefined);
    for (const job of ['io', 'cpu'] as const) {
      for (const r of rows(doc, job)) {
        assert.equal(r.reason, 'not available: python3 not found', `${job}/${r.mode}`);
        assert.equal(r.wallMs, null);
      }
      const sync = doc.jobs.find((j) => j.job === job)!.results.find((r) => r.mode === 'sync')!;
      assert.equal(sync.verified, true);
    }
  });

  it('outputs that are not the expected ones count as wrong results, which the verdicts do not use', async (t) => {
    // Answers every run at once with two made-up outputs.
    const path = fakePython(
      t,
      `read spec; echo '{"ready": true}'; while read cmd; do echo '{"outputs": ["1", "2"]}'; done`,
    );
    const doc = await withPath(path, () => runBench({ ...tiny, jobs: ['cpu'] }));
    const pySync = rows(doc, 'cpu').find((r) => r.mode === 'python sync')!;
    assert.equal(pySync.verified, false);
    assert.ok(!doc.jobs[0]!.verdicts.some((v) => v.startsWith('Python on the same')));
  });

  it('a program that fails says why, in its own last words', async (t) => {
    const path = fakePython(t, `read spec; echo "ZeroDivisionError: boom" >&2; exit 3`);
    const doc = await withPath(path, () => runBench({ ...tiny, jobs: ['cpu'] }));
    const pySync = rows(doc, 'cpu').find((r) => r.mode === 'python sync')!;
    assert.equal(pySync.reason, 'failed: python3 ended (code 3): ZeroDivisionError: boom');
  });

  it('a reply that is not JSON fails the row instead of the bench', async (t) => {
    const path = fakePython(t, `read spec; echo 'Traceback?'; read cmd`);
    const doc = await withPath(path, () => runBench({ ...tiny, jobs: ['cpu'] }));
    assert.match(
      rows(doc, 'cpu').find((r) => r.mode === 'python sync')!.reason!,
      /^failed: .*JSON/,
    );
  });

  it('a program in the middle of a run, and its pool, end when the bench is killed by SIGKILL', async (t) => {
    if (process.platform !== 'linux') return t.skip('finds the processes through /proc');
    if (!pythonVersion()) return t.skip('python3 is not installed');
    const parent = spawn(process.execPath, ['--import', 'tsx', PARENT], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(() => parent.kill('SIGKILL'));
    await once(createInterface({ input: parent.stdout! }), 'line');
    // The process pool's program: the harness and its worker processes, computing a run that
    // takes far longer than the wait below.
    const python = await eventually(() => {
      const harness = descendants(parent.pid!).find((p) => p.cmdline.includes('harness.py'));
      const pool = harness ? descendants(harness.pid) : [];
      return harness && pool.length >= 2 ? [harness, ...pool] : undefined;
    }, 30_000);
    parent.kill('SIGKILL');
    await once(parent, 'exit');
    for (const p of python) {
      assert.ok(await goneWithin(p.pid, 10_000), `${p.cmdline} (${p.pid}) outlived the bench`);
    }
  });
});

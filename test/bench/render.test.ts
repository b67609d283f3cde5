import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderReport } from '../../src/bench/report.js';
import { renderTables, wantsColor } from '../../src/bench/table.js';
import type { BenchDocument } from '../../src/bench/types.js';
import { absent, around, job, machine, ran, report } from './documents.js';

const ESC = '\u001b[';

/** A hand-made document: the renderers must not care where the figures came from. */
const doc: BenchDocument = {
  machine: { ...machine, python: 'Python 3.11.7' },
  repeats: 'each mode repeats its timed run until it settles',
  jobs: [
    report(
      job('io', [
        ran('sync', [16_300], { cpuMs: 900, startupMs: 2 }),
        ran('loop', around(110, 0.1, 7), { cpuMs: 80 }),
        absent('threads', 'not available: <not built>'),
        ran('python asyncio', around(130), { cpuMs: 90 }),
      ]),
      { recommended: 'loop', tied: [], verdicts: ['I/O-bound: loop is recommended & said so'] },
    ),
    report(
      job('cpu', [
        ran('sync', around(2_000), { cpuMs: 2_000 }),
        ran('threads', around(1_030), { cpuMs: 2_050, startupMs: 30 }),
        ran('processes', around(1_020), { cpuMs: 2_080, startupMs: 90, verified: false }),
      ]),
      {
        recommended: 'threads',
        tied: ['threads', 'processes'],
        verdicts: ['CPU-bound: threads and processes tie'],
      },
    ),
  ],
  notes: ['The machine was busy'],
};

describe('terminal tables', () => {
  it('colour only a terminal, and never when NO_COLOR is set', () => {
    assert.equal(wantsColor({ isTTY: true }, {}), true);
    assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(wantsColor({ isTTY: false }, {}), false);
    assert.equal(wantsColor({}, {}), false);
  });

  it('carry no escape codes without colour, and some with it', () => {
    assert.ok(!renderTables(doc).includes(ESC));
    assert.ok(renderTables(doc, { color: true }).includes(ESC));
  });

  it('show a row per mode with its median, the middle half of its runs and their count', () => {
    const text = renderTables(doc);
    assert.match(text, /^loop +110 ms +105–116 ms +7 +111 ms +80 ms +148× +1\.10× +yes +█$/m);
    assert.match(text, /^sync +16\.3 s +– +1 +16\.3 s +900 ms +1\.00× +163× +yes +█{30}$/m);
    assert.match(text, /^threads +not available: <not built>$/m);
    assert.match(text, /^processes .* NO +█+$/m);
  });

  it('show the Python rows, compared with python sync, and say so', () => {
    const text = renderTables(doc);
    assert.match(text, /^python asyncio +130 ms +129–131 ms +5 .* – +1\.30× +yes/m);
    assert.match(text, /for Python rows, against python sync/);
    assert.match(text, /Python 3\.11\.7/);
  });

  it('put each job’s verdicts under its table, then how to read the figures, then the notes', () => {
    const text = renderTables(doc);
    const io = text.indexOf('I/O-bound job');
    const ioVerdict = text.indexOf('• I/O-bound: loop is recommended & said so');
    const cpu = text.indexOf('CPU-bound job');
    assert.ok(io < ioVerdict && ioVerdict < cpu, 'the I/O verdict sits between the two tables');
    assert.ok(text.indexOf('Timed runs: each mode repeats') > text.indexOf('• CPU-bound'));
    assert.ok(text.trimEnd().endsWith('The machine was busy'));
    assert.match(text, /the sites server runs in a process of its own/);
    assert.doesNotMatch(text, /Target/);
  });
});

describe('HTML report', () => {
  const html = renderReport(doc, new Date('2026-01-01T00:00:00Z'));

  it('escapes every text that came from outside', () => {
    assert.ok(html.includes('Test &#60;CPU&#62;'));
    assert.ok(html.includes('not available: &#60;not built&#62;'));
    assert.ok(html.includes('loop is recommended &#38; said so'));
    assert.ok(!html.includes('<not built>'));
  });

  it('draws per job a bar for each row that ran, the middle half as a whisker, each run as a dot', () => {
    const charts = html.split('<figure class="chart"').slice(1);
    assert.equal(charts.length, 2);
    const count = (chart: string, pattern: RegExp) => (chart.match(pattern) ?? []).length;
    assert.equal(count(charts[0]!, /<rect class="bar/g), 3);
    assert.equal(count(charts[1]!, /<rect class="bar/g), 3);
    // A whisker is a line and two end caps; one per row that ran.
    assert.equal(count(charts[0]!, /<line class="spread"/g), 9);
    assert.equal(count(charts[0]!, /<circle class="run"/g), 1 + 7 + 5);
    assert.match(charts[0]!, /<rect class="bar python"[^>]*><title>python asyncio: 130 ms/);
    assert.match(charts[0]!, /<rect class="bar recommended"[^>]*><title>loop:/);
    for (const chart of charts) assert.equal(count(chart, /<line class="limit"/g), 1);
    assert.match(charts[0]!, /log scale/, 'a 150× spread is drawn on a log scale');
    assert.doesNotMatch(charts[1]!, /log scale/);
  });

  it('lists each job’s verdicts and the notes, and no target', () => {
    assert.equal((html.match(/<ul class="verdicts">/g) ?? []).length, 2);
    assert.match(html, /<p class="note">The machine was busy<\/p>/);
    assert.doesNotMatch(html, /Target/);
  });

  it('draws no limit line, and no NaN, when the limit is zero (a 0 ms latency)', () => {
    const page = renderReport({ ...doc, jobs: [{ ...doc.jobs[0]!, limitMs: 0 }] });
    assert.doesNotMatch(page, /NaN|Infinity/);
    assert.doesNotMatch(page, /<line class="limit"/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderReport } from '../../src/bench/report.js';
import { renderTables, wantsColor } from '../../src/bench/table.js';
import type { BenchDocument } from '../../src/bench/types.js';

const ESC = '\u001b[';

/** A hand-made document: the renderers must not care where the figures came from. */
const doc: BenchDocument = {
  machine: {
    cpus: 2,
    cores: 2,
    cpuModel: 'Test <CPU>',
    node: 'v20.0.0',
    platform: 'linux',
    arch: 'x64',
    loadAverage: 0.5,
  },
  jobs: [
    {
      job: 'io',
      workload: 'download 160 sites',
      params: { sites: 160, latencyMs: 100, concurrency: 160 },
      limitMs: 100,
      limitRule: 'ceil(160 / 160) × 100 ms',
      results: [
        {
          mode: 'sync',
          wallMs: 16_300,
          startupMs: 2,
          cpuMs: 900,
          speedup: 1,
          limitRatio: 163,
          verified: true,
        },
        {
          mode: 'loop',
          wallMs: 110,
          startupMs: 1,
          cpuMs: 80,
          speedup: 148.2,
          limitRatio: 1.1,
          verified: true,
        },
        {
          mode: 'threads',
          wallMs: null,
          startupMs: null,
          cpuMs: null,
          speedup: null,
          limitRatio: null,
          verified: false,
          reason: 'not available: <not built>',
        },
      ],
    },
    {
      job: 'cpu',
      workload: 'sum of squares',
      params: { tasks: 20, firstN: 5_000_000, scale: 1 },
      limitMs: 60,
      limitRule: 'sync time / 2 cores',
      results: [
        {
          mode: 'sync',
          wallMs: 120,
          startupMs: 1,
          cpuMs: 120,
          speedup: 1,
          limitRatio: 2,
          verified: true,
        },
        {
          mode: 'threads',
          wallMs: 63,
          startupMs: 30,
          cpuMs: 125,
          speedup: 1.9,
          limitRatio: 1.05,
          verified: true,
        },
        {
          mode: 'processes',
          wallMs: 70,
          startupMs: 90,
          cpuMs: 140,
          speedup: 1.71,
          limitRatio: 1.17,
          verified: false,
        },
      ],
    },
  ],
  verdicts: ['CPU-bound: threads won & said so'],
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

  it('show one row per mode, the reason of an unavailable one, and a wrong result as such', () => {
    const text = renderTables(doc);
    assert.match(text, /^threads\s+not available: <not built>$/m);
    assert.match(text, /^processes .* NO +█+$/m);
    assert.match(text, /^loop .*148× .* yes +█$/m, 'the fastest bar is at least one block');
    assert.match(text, /^sync .* yes +█{30}$/m, 'the slowest bar is full width');
    assert.match(text, /• CPU-bound: threads won & said so/);
  });
});

describe('HTML report', () => {
  const html = renderReport(doc, new Date('2026-01-01T00:00:00Z'));

  it('escapes every text that came from outside', () => {
    assert.ok(html.includes('Test &#60;CPU&#62;'));
    assert.ok(html.includes('not available: &#60;not built&#62;'));
    assert.ok(html.includes('threads won &#38; said so'));
    assert.ok(!html.includes('<not built>'));
  });

  it('draws one chart per job with a bar per mode that ran and the limit as a line', () => {
    const charts = html.split('<figure class="chart"').slice(1);
    assert.equal(charts.length, 2);
    assert.equal((charts[0]!.match(/<rect class="bar/g) ?? []).length, 2);
    assert.equal((charts[1]!.match(/<rect class="bar/g) ?? []).length, 3);
    for (const chart of charts) assert.equal((chart.match(/<line class="limit"/g) ?? []).length, 1);
    assert.match(charts[0]!, /log scale/, 'a 150× spread is drawn on a log scale');
    assert.doesNotMatch(charts[1]!, /log scale/);
  });

  it('draws no limit line, and no NaN, when the limit is zero (a 0 ms latency)', () => {
    const io = doc.jobs[0]!;
    const page = renderReport({ ...doc, jobs: [{ ...io, limitMs: 0 }] });
    assert.doesNotMatch(page, /NaN|Infinity/);
    assert.doesNotMatch(page, /<line class="limit"/);
  });
});

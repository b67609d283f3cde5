import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { runBench } from '../../src/bench/lab.js';
import { pythonVersion } from '../../src/bench/python-session.js';
import { renderReport } from '../../src/bench/report.js';
import { benchSettings, QUICK } from '../../src/bench/settings.js';

const OUT = 'test-output';

/** Debian's Chromium: on PATH as `chromium`, or at its usual place. */
function findChromium(): string | undefined {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  }
}

describe('the bench HTML report in real headless Chromium', { timeout: 240_000 }, () => {
  it('loads with no console errors or network requests, shows both charts with spreads and the Python rows, and is screenshotted', async (t) => {
    const executablePath = findChromium();
    if (!executablePath) {
      // CI installs Chromium (.ci/run): there a missing browser is a failure, not a skip.
      assert.ok(!process.env.CI, 'chromium is missing in CI');
      t.skip('chromium is not installed: apt-get install -y chromium');
      return;
    }
    const python = pythonVersion() !== undefined;
    if (!python)
      t.diagnostic('python3 is not installed: the report is checked without Python rows');
    const doc = await runBench(
      benchSettings({
        ...QUICK,
        modes: ['sync', 'loop', 'threads'],
        compare: python ? ['python'] : [],
      }),
    );
    await mkdir(OUT, { recursive: true });
    const file = join(OUT, 'bench-report.html');
    await writeFile(file, renderReport(doc));

    const browser = await chromium.launch({
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));

    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: 'load' });

    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url], 'the page fetches nothing besides itself');
    for (const job of doc.jobs) {
      const chart = page.locator(`figure.chart[data-job="${job.job}"] svg`);
      assert.equal(await chart.count(), 1, `${job.job} chart`);
      assert.ok(await chart.isVisible(), `${job.job} chart is visible`);
      const box = await chart.boundingBox();
      assert.ok(box && box.width > 300 && box.height > 50, `${job.job} chart has a size`);
      const ran = job.results.filter((r) => r.wallMs !== null);
      const pythonRan = ran.filter((r) => r.mode.startsWith('python')).length;
      assert.equal(
        await chart.locator('rect.bar').count(),
        ran.length,
        `${job.job}: a bar per row that ran`,
      );
      assert.equal(
        await chart.locator('rect.bar.python').count(),
        pythonRan,
        `${job.job}: Python bars`,
      );
      if (python) assert.ok(pythonRan >= 3, `${job.job}: the Python rows ran`);
      // Each bar's whisker: a line over the middle half of its runs and two end caps, drawn.
      const whiskers = chart.locator('g.whisker');
      assert.equal(await whiskers.count(), ran.length);
      assert.equal(await chart.locator('line.spread').count(), 3 * ran.length);
      // A line has no area, which Playwright counts as hidden; its group (with the dots) has.
      assert.ok(await whiskers.first().isVisible(), `${job.job}: the whiskers are drawn`);
      assert.equal(
        await chart.locator('circle.run').count(),
        ran.reduce((n, r) => n + r.runs.length, 0),
        `${job.job}: a dot per run`,
      );
      assert.equal(await chart.locator('line.limit').count(), 1, `${job.job}: the limit line`);
    }
    assert.equal(await page.locator('ul.verdicts').count(), 2, 'verdicts under each job');
    assert.equal(await page.getByText('Target', { exact: false }).count(), 0);
    const shot = join(OUT, 'bench-report.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);
  });
});

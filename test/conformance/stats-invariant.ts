/**
 * The conformance suite's tests of what `stats()` promises while work stops early: every
 * task accepted counts in exactly one of `running`, `queued`, `completed` and `failed`, at
 * every moment — while a map fails, right after it rejects, when its consumer breaks out,
 * as `close({ cancel: true })` cancels — and the inputs of a map's chunks count one by one.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { it } from 'node:test';
import { CancelledError, type Executor, TaskError } from '../../src/index.js';
import type { Outcome } from '../fixtures/jobs.js';
import { StatsLedger } from '../support/stats-ledger.js';
import { FOREVER, jobs } from './context.js';

/** What the suite lends these tests. */
export interface StatsContext {
  /** More than one task can run at once. */
  readonly concurrent: boolean;
  /** An executor with at least `concurrency` places, closed when the test ends. */
  readonly open: (
    t: { after: (fn: () => Promise<void>) => void },
    options: { concurrency: number },
  ) => Promise<Executor>;
  /** A fresh marker file path for a task to write. */
  readonly marker: () => string;
  /** Waits for a marker file. */
  readonly markerText: (file: string) => Promise<string>;
  /** Polls until `condition` holds. */
  readonly eventually: (condition: () => boolean, what: string) => Promise<void>;
}

export function describeStatsInvariant(context: StatsContext): void {
  const { concurrent, open, marker, markerText, eventually } = context;
  const idle = (ex: Executor) =>
    eventually(() => {
      const { running, queued } = ex.stats();
      return running + queued === 0;
    }, 'every task ended');

  it('a failing map: every task counts once, at every moment and as the map rejects', async (t) => {
    const ex = await open(t, { concurrency: 3 });
    const ledger = new StatsLedger(ex);
    const started = [marker(), marker()];
    // Input 0 fails once inputs 1 and 2 run: they, and those read behind them, are cancelled.
    const inputs: Outcome[] = [
      { value: 0, fail: true, ...(concurrent ? { after: started } : {}) },
      { value: 1, ms: FOREVER, started: started[0] },
      { value: 2, ms: FOREVER, started: started[1] },
      ...Array.from({ length: 7 }, (_, i) => ({ value: 3 + i, ms: FOREVER })),
    ];
    const stop = ledger.watch();
    let rejected: unknown;
    try {
      for await (const _ of ex.map(jobs.outcome, ledger.reading(inputs)))
        ledger.check('an output was yielded');
    } catch (error) {
      ledger.check('the map rejected');
      rejected = error;
    }
    assert.ok(rejected instanceof TaskError, `got ${String(rejected)}`);
    await idle(ex);
    stop();
    ledger.assertSettled();
    assert.equal(ex.stats().failed, ledger.accepted, 'the failure and the cancelled tasks');
  });

  it('close({ cancel: true }): every task counts once, as each caller hears of it', async (t) => {
    const ex = await open(t, { concurrency: 2 });
    const ledger = new StatsLedger(ex);
    const started = marker();
    const heard = (what: string) => (error: unknown) => {
      ledger.check(`${what} was cancelled`);
      return error;
    };
    // One or two run, the rest wait: in the executor's queue, or in the map's.
    const submitted = [0, 1, 2].map((value) =>
      ledger
        .submit(() =>
          ex.submit(jobs.outcome, { value, ms: FOREVER, ...(value ? {} : { started }) }),
        )
        .catch(heard(`submit ${value}`)),
    );
    const mapped = (async () => {
      const inputs = [3, 4, 5].map((value) => ({ value, ms: FOREVER }));
      for await (const _ of ex.map(jobs.outcome, ledger.reading(inputs)))
        ledger.check('an output was yielded');
    })().catch(heard('the map'));
    await markerText(started);
    const stop = ledger.watch();
    await ex.close({ cancel: true });
    ledger.check('close() resolved');
    const errors = await Promise.all(submitted);
    for (const error of errors) assert.ok(error instanceof CancelledError, `got ${String(error)}`);
    assert.ok((await mapped) instanceof Error, 'the map rejected');
    stop();
    ledger.assertSettled();
    assert.equal(ex.stats().failed, ledger.accepted, 'every task was cancelled');
  });

  it("a map's consumer breaks out: every input counts once, each input of a chunk too", async (t) => {
    const ex = await open(t, { concurrency: 2 });
    const ledger = new StatsLedger(ex);
    const release = marker();
    // Inputs 0-3 end at once, 4-11 once the first outcome is seen, and 12 on only when cancelled.
    const inputs: Outcome[] = Array.from({ length: 24 }, (_, value) => ({
      value,
      fail: value % 3 === 1,
      ...(value >= 4 ? { after: [release] } : {}),
      ...(value >= 12 ? { ms: FOREVER } : {}),
    }));
    const stop = ledger.watch();
    let seen = 0;
    for await (const _ of ex.mapSettled(jobs.outcome, ledger.reading(inputs), { chunkSize: 4 })) {
      ledger.check(`outcome ${seen} was yielded`);
      if (seen === 0) writeFileSync(release, 'released');
      if (++seen === 8) break;
    }
    ledger.check('the loop broke');
    await idle(ex);
    stop();
    ledger.assertSettled();
  });
}

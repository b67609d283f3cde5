/**
 * Property of `stats()` on the modes whose tasks run on the calling thread (`sync`, `loop`,
 * and `auto` while it keeps them there), where a task can read it too: whatever happens —
 * tasks that end, throw, or are cancelled by their own signal (heeding it or not), a map
 * or mapSettled that fails or whose consumer breaks out, `close({ cancel: true })` at any
 * moment — every task accepted counts in exactly one of `running`, `queued`, `completed`
 * and `failed`, wherever it is read: in a task, before and after it awaits, in a handler,
 * in the consumer's loop, between two turns of the event loop.
 */
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createExecutor, task } from '../../src/index.js';
import { checkWith, job } from '../fixtures/ledger-job.mjs';
import { StatsLedger } from '../support/stats-ledger.js';

/**
 * `job` as a reference, for `auto`, which takes no plain function (`sync` and `loop` are
 * given `job` itself). `auto` keeps these short waits on the calling thread, where `job`
 * checks the counters through the ledger the test installs in the module imported above.
 */
const ledgerJob = task<Parameters<typeof job>[0], number>(
  new URL('../fixtures/ledger-job.mjs', import.meta.url),
  'job',
);

const spec = fc.record({
  ms: fc.integer({ min: 0, max: 3 }),
  fail: fc.boolean(),
  heeds: fc.boolean(),
});

const scenario = fc.record({
  mode: fc.constantFrom('sync', 'loop', 'auto'),
  concurrency: fc.integer({ min: 1, max: 4 }),
  submits: fc.array(
    fc.record({ spec, abortAfter: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }) }),
    { maxLength: 8 },
  ),
  map: fc.record({
    settled: fc.boolean(),
    inputs: fc.array(spec, { maxLength: 16 }),
    chunkSize: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    breakAfter: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  }),
  cancelAfter: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
});

describe('stats() (property)', () => {
  it('counts every accepted task once, at every moment, however the work ends', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ mode, concurrency, submits, map, cancelAfter }) => {
        const ex = createExecutor(mode === 'sync' ? { mode } : { mode, concurrency });
        const ledger = new StatsLedger(ex);
        checkWith((where) => ledger.check(where));
        const run = mode === 'auto' ? ledgerJob : job;
        const stop = ledger.watch();
        const submitted = submits.map(({ spec, abortAfter }) => {
          const controller = new AbortController();
          if (abortAfter !== undefined) setTimeout(() => controller.abort(), abortAfter);
          return ledger
            .submit(() => ex.submit(run, spec, { signal: controller.signal }))
            .then(
              () => ledger.check('a submit resolved'),
              () => ledger.check('a submit rejected'),
            );
        });
        const mapped = (async () => {
          const inputs = ledger.reading(map.inputs);
          const { chunkSize } = map;
          const outcomes = map.settled
            ? ex.mapSettled(run, inputs, { chunkSize })
            : ex.map(run, inputs, { chunkSize });
          let seen = 0;
          try {
            for await (const _ of outcomes) {
              ledger.check('an outcome was yielded');
              if (++seen === map.breakAfter) break;
            }
            ledger.check('the map ended');
          } catch {
            ledger.check('the map rejected');
          }
        })();
        if (cancelAfter !== undefined)
          setTimeout(() => {
            ex.close({ cancel: true }).then(() => ledger.check('close() resolved'));
            ledger.check('close() was called');
          }, cancelAfter);
        await Promise.all([...submitted, mapped]);
        await ex.close();
        stop();
        ledger.assertSettled();
      }),
      { numRuns: 150 },
    );
  });
});

/**
 * The fault storm (see `storm.ts`), scaled down to keep the suite's time reasonable on a
 * small machine; `node --import tsx test/runners/pool/storm.ts` runs the full 2,000 inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orphans, runStorm } from './storm.js';

/** Enough for several inputs of every kind (each hundred has at least one). */
const INPUTS = 300;
/** The storm's timeout: only the inputs that never end may reach it. */
const TIMEOUT_MS = 500;

for (const mode of ['threads', 'processes'] as const) {
  describe(`${mode}: a fault storm`, { timeout: 300_000 }, () => {
    for (const phase of ['submit', 'mapSettled'] as const) {
      it(`${INPUTS} mixed inputs through ${phase}: each settles exactly once with the right outcome, the pool ends full, no worker process is left`, async (t) => {
        const figures = await runStorm(mode, phase, INPUTS, TIMEOUT_MS);
        t.diagnostic(JSON.stringify(figures));
        assert.deepEqual(figures.wrong, []);
        assert.equal(figures.missing, 0);
        assert.equal(figures.repeated, 0);
        assert.equal(figures.workers, 2, 'back at full size');
        assert.equal(figures.retried, 0, 'no retries asked for, none made');
        assert.equal(orphans(), 0, 'no worker process outlives its pool');
      });
    }
  });
}

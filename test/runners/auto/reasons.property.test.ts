/** The numbers in `auto`'s reasons read as English groups them, whatever the number. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { describe as describeLevel } from '../../../src/runners/auto/reasons.js';

it('groups the thousands of a level as English does (1,024 at a time on this thread)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (level) => {
      assert.equal(
        describeLevel({ route: 'loop', level }, 2),
        `${level.toLocaleString('en')} at a time on this thread`,
      );
    }),
    { numRuns: 500 },
  );
});

/**
 * The calling thread's turn budget, on a scripted clock: it runs from the turn's first
 * start, whatever the tasks' own calls took, and a new turn of the event loop resets it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TURN_BUDGET_MS } from '../../../src/runners/auto/settings.js';
import { Turn } from '../../../src/runners/auto/turn.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Turn', () => {
  it('is not exhausted before a task starts, however long the thread ran', () => {
    let now = 0;
    const turn = new Turn(
      () => {},
      () => now,
    );
    now = 10 * TURN_BUDGET_MS;
    assert.equal(turn.exhausted, false);
  });

  it('is exhausted once the budget has passed since the first start of the turn', async () => {
    let now = 100;
    const turn = new Turn(
      () => {},
      () => now,
    );
    turn.starting();
    now += TURN_BUDGET_MS / 2;
    // Later starts in the same turn do not move its beginning.
    turn.starting();
    assert.equal(turn.exhausted, false);
    now += TURN_BUDGET_MS / 2;
    assert.equal(turn.exhausted, true);
    await nextTurn();
  });

  it('starts afresh when the event loop turns, and says so once', async () => {
    let now = 0;
    let turns = 0;
    const turn = new Turn(
      () => turns++,
      () => now,
    );
    turn.starting();
    turn.starting();
    now = 2 * TURN_BUDGET_MS;
    assert.equal(turn.exhausted, true);
    await nextTurn();
    assert.equal(turns, 1);
    assert.equal(turn.exhausted, false);
    turn.starting();
    now += TURN_BUDGET_MS;
    assert.equal(turn.exhausted, true);
    await nextTurn();
    assert.equal(turns, 2);
  });
});

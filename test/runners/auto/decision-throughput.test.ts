/**
 * `Decision.throughput`: present once `auto` keeps a level for what it measured there,
 * absent while a level is on trial. Driven by the simulation (see `simulation.ts`), with
 * the decision read after every finished task.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decision } from '../../../src/core/types.js';
import { Controller } from '../../../src/runners/auto/controller.js';
import { simulate, type World } from './simulation.js';

/** Each decision the controller made while `world` ran, in order (not its re-measurements). */
function decisions(world: World): Decision[] {
  const seen: Decision[] = [];
  const finished = Controller.prototype.finished;
  Controller.prototype.finished = function (this: Controller, ...args) {
    finished.apply(this, args);
    const d = this.decision();
    const last = seen.at(-1);
    if (d.reason !== last?.reason || at(d) !== at(last)) seen.push(d);
  };
  try {
    simulate(world);
  } finally {
    Controller.prototype.finished = finished;
  }
  return seen;
}

const at = (d: Decision) => `${d.mode}@${d.tasksPerWorker ?? d.concurrency}`;

const WORLDS: Record<string, World> = {
  'tasks that only wait': { inputs: 6_000, work: () => ({ cpuMs: 0.02, waitMs: 20 }) },
  'a resource that serves 32 at once': {
    inputs: 8_000,
    capacity: 32,
    work: () => ({ cpuMs: 0.05, waitMs: 30, bounded: true }),
  },
  'CPU-bound tasks': { inputs: 2_000, work: () => ({ cpuMs: 5, waitMs: 0 }) },
  'tasks that wait and compute': { inputs: 4_000, work: () => ({ cpuMs: 2, waitMs: 4 }) },
  'tasks under a timeout': { inputs: 3_000, pinned: true, work: () => ({ cpuMs: 5, waitMs: 0.3 }) },
};

describe("the decision's throughput", () => {
  for (const [name, world] of Object.entries(WORLDS)) {
    it(`is there exactly while auto keeps a level it measured (${name})`, () => {
      const seen = decisions(world);
      assert.equal(seen[0]?.throughput, undefined, 'the first level is a guess');
      let kept = 0;
      for (const d of seen) {
        // auto's sentence says when it keeps a level: it stays, settles, or goes back.
        const keeps = /(staying at|staying there|settling at|back to)[^:]*\.$/.test(d.reason);
        assert.equal(d.throughput !== undefined, keeps, `${at(d)}: ${d.reason}`);
        if (d.throughput === undefined) continue;
        kept++;
        assert.ok(d.throughput > 0, `${at(d)}: ${d.reason}`);
      }
      assert.ok(kept > 0, `${name}: auto kept no level`);
    });
  }

  it('after a knee, is there only when auto holds the level it went to, not when it steps on down', () => {
    // Under a timeout, one task per worker finishes nearly as many as two (their waits are
    // short): auto holds one after two did not pay off at four.
    const held = decisions({
      inputs: 3_000,
      pinned: true,
      work: () => ({ cpuMs: 5, waitMs: 0.3 }),
    });
    const knees = held.filter((d) => /queue for something/.test(d.reason));
    assert.ok(knees.length > 0);
    for (const d of knees) {
      const next = held[held.indexOf(d) + 1];
      const steppedOn = next !== undefined && !/pays now/.test(next.reason);
      assert.equal(d.throughput === undefined, steppedOn, `${at(d)}: ${d.reason}`);
    }
    // Waiting work climbs past the knee and steps down to levels it has not measured yet.
    const descending = decisions({ inputs: 4_000, work: () => ({ cpuMs: 2, waitMs: 4 }) });
    const knee = descending.find((d) => /queue for something/.test(d.reason));
    assert.ok(knee);
    assert.equal(knee.throughput, undefined, knee.reason);
  });
});

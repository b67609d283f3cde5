/**
 * `auto`'s start of a task's worker threads, ahead of a move: a start stopped because the
 * move no longer looks likely ends only when the stopped workers have.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Controller } from '../../../src/runners/auto/controller.js';
import type { Crossing } from '../../../src/runners/auto/crossing.js';
import { WorkerStart } from '../../../src/runners/auto/worker-start.js';
import { fakeWorkerThreads, SlowToStop, settled, TASK } from './worker-fakes.js';

/** A start of a task's two workers, which load forever and end when told, and what it told the controller. */
function starting() {
  const { threads, made } = fakeWorkerThreads(() => new SlowToStop());
  const told: string[] = [];
  const controller = {
    workersStarting: () => told.push('starting'),
    workersReady: () => told.push('ready'),
    threadsFailed: (why: string) => told.push(`failed: ${why}`),
  } as unknown as Controller;
  const crossing = { whyNot: () => undefined } as unknown as Crossing;
  const start = new WorkerStart(TASK, threads, controller, crossing, () => {});
  return { start, made, told };
}

describe("auto's start of worker threads", () => {
  it('tells the controller the start is over only once the workers it stopped have ended', async () => {
    const { start, made, told } = starting();
    start.startAhead();
    assert.deepEqual(told, ['starting']);
    start.stopStarting();
    await settled();
    assert.deepEqual(told, ['starting'], 'still booting while they stop: their CPU is theirs');
    made[0]!.end();
    await settled();
    assert.deepEqual(told, ['starting'], 'one is still stopping');
    made[1]!.end();
    await settled();
    assert.deepEqual(told, ['starting', 'ready']);
  });

  it('leaves a start made for the move meanwhile to say when it is over', async () => {
    const { start, made, told } = starting();
    start.startAhead();
    start.stopStarting();
    start.startAhead();
    assert.deepEqual(told, ['starting'], 'no second start on a sign once one was stopped');
    start.start();
    assert.deepEqual(told, ['starting', 'starting']);
    for (const runner of made.slice(0, 2)) runner.end();
    await settled();
    assert.deepEqual(told, ['starting', 'starting'], 'the new start is still under way');
  });
});

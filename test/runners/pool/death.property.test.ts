/**
 * Properties of the two rules a worker's death runs through: who is blamed (`blame`), and
 * how a job shrinks and settles when some of its inputs fail on their own (`Job.drop`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { task } from '../../../src/core/task.js';
import { blame } from '../../../src/runners/pool/death.js';
import { Job, type JobOutcome, type PoolTask } from '../../../src/runners/pool/job.js';

const poolTask: PoolTask = {
  taskId: 1,
  ref: task(new URL('file:///nowhere/tasks.js'), 'echo'),
  name: 'tasks.js#echo',
  inputMs: undefined,
  loadable: true,
};

function makeJob(id: number, inputs: readonly unknown[], settle?: (outcome: unknown) => void) {
  return new Job(
    id,
    {
      task: poolTask,
      inputs,
      controller: new AbortController(),
      timeout: undefined,
      priority: 0,
      progress: () => {},
    },
    false,
    settle ?? (() => {}),
    () => {},
  );
}

/** A dead worker's mirror: jobs running or held, some traced, and what the transport named. */
const mirror = fc
  .array(
    fc.record({
      inputs: fc.integer({ min: 1, max: 4 }),
      running: fc.boolean(),
      traced: fc.boolean(),
      at: fc.option(fc.nat({ max: 3 }), { nil: undefined }),
    }),
    { maxLength: 5 },
  )
  .chain((specs) =>
    fc.record({
      specs: fc.constant(specs),
      named: fc.oneof(
        fc.constant(undefined),
        fc.constant(null),
        fc.record({ index: fc.nat({ max: 5 }), offset: fc.nat({ max: 3 }) }),
      ),
      stopped: fc.boolean(),
    }),
  );

describe('blame: who a dead worker takes down', () => {
  it('property: a stopped worker blames nobody; a named input is blamed; otherwise only a lone running job can be', () => {
    fc.assert(
      fc.property(mirror, ({ specs, named, stopped }) => {
        const had = specs.map((spec, i) => {
          const job = makeJob(
            i + 1,
            Array.from({ length: spec.inputs }, (_, n) => n),
          );
          job.state = spec.running ? 'running' : 'sent';
          job.traced = spec.traced;
          job.at = spec.at;
          return job;
        });
        const running = had.filter((job) => job.state === 'running');
        const death =
          named && named.index < had.length
            ? { exitCode: 1, running: { jobId: had[named.index]!.id, offset: named.offset } }
            : { exitCode: 1, running: named === undefined ? undefined : null };
        const verdict = blame(death, had, stopped, (id) => had.find((job) => job.id === id));
        if (stopped) return assert.equal(verdict.kind, 'none');
        if (death.running) {
          return assert.deepEqual(verdict, {
            kind: 'input',
            job: had[named!.index],
            offset: death.running.offset,
          });
        }
        switch (verdict.kind) {
          case 'none':
            return assert.equal(running.length, 0);
          case 'all':
            assert.ok(running.length > 1);
            return assert.deepEqual(verdict.jobs, running);
          case 'trace':
            assert.deepEqual(running, [verdict.job]);
            assert.ok(verdict.job.inputs.length > 1);
            return assert.ok(!verdict.job.traced || verdict.job.at === undefined);
          case 'input': {
            assert.deepEqual(running, [verdict.job]);
            const { job, offset } = verdict;
            assert.ok(offset < job.inputs.length || job.traced);
            return assert.equal(offset, job.inputs.length === 1 ? 0 : job.at);
          }
        }
      }),
    );
  });
});

describe('Job: inputs that fail on their own', () => {
  it('property: after any drops, each input of the job as asked for is answered once, in its own place', () => {
    const plan = fc.record({
      size: fc.integer({ min: 1, max: 12 }),
      drops: fc.array(fc.array(fc.nat({ max: 11 }), { maxLength: 4 }), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(plan, ({ size, drops }) => {
        const inputs = Array.from({ length: size }, (_, i) => `in${i}`);
        let outcome: JobOutcome | undefined;
        const job = makeJob(1, inputs, (answer) => {
          assert.equal(outcome, undefined, 'answered once');
          outcome = answer as JobOutcome;
        });
        const dropped = new Map<string, Error>();
        for (const round of drops) {
          if (job.answered) break;
          const offsets = new Set(round.filter((offset) => offset < job.inputs.length));
          const failures = new Map([...offsets].map((o) => [o, new Error(`${job.inputs[o]}`)]));
          for (const [offset, error] of failures) dropped.set(job.inputs[offset] as string, error);
          job.drop(failures);
        }
        if (!job.answered)
          job.finish({ kind: 'done', jobId: 1, values: job.inputs.map((v) => `out:${v}`), ms: 1 });
        assert.ok(outcome);
        inputs.forEach((input, i) => {
          const failure = outcome!.failures?.get(i);
          if (dropped.has(input)) {
            assert.equal(failure, dropped.get(input));
            assert.equal(outcome!.values[i], undefined);
          } else {
            assert.equal(failure, undefined);
            assert.equal(outcome!.values[i], `out:${input}`);
          }
        });
      }),
    );
  });
});

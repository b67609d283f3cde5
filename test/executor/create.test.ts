import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AVAILABLE_MODES, createExecutor, type ExecutorOptions, MODES } from '../../src/index.js';

/** Asserts that `options` are refused with `type` and a message matching every pattern. */
function refuses(
  options: unknown,
  type: typeof TypeError | typeof RangeError,
  ...patterns: RegExp[]
) {
  assert.throws(
    () => createExecutor(options as ExecutorOptions),
    (error: unknown) => {
      assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
      for (const pattern of patterns) assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('createExecutor options', () => {
  it('options must be an object', () => {
    refuses(undefined, TypeError, /options must be an object/);
    refuses(null, TypeError, /got null/);
    refuses('loop', TypeError, /got string/);
  });

  it('an unknown mode is a RangeError that lists the known modes', () => {
    refuses(
      { mode: 'fibers' },
      RangeError,
      /option 'mode'/,
      /'sync', 'loop', 'threads'/,
      /"fibers"/,
    );
    refuses({}, RangeError, /option 'mode'/, /got undefined/);
  });

  it('a mode that is not built yet says so and lists the modes available now', (t) => {
    const planned = MODES.find((mode) => !AVAILABLE_MODES.includes(mode));
    if (!planned) {
      t.skip('every mode is built');
      return;
    }
    refuses({ mode: planned }, RangeError, /not built yet/, new RegExp(AVAILABLE_MODES.join(', ')));
  });

  it('an unknown option is a TypeError that names it and lists the known ones', () => {
    refuses({ mode: 'loop', concurency: 4 }, TypeError, /'concurency'/, /concurrency, workers/);
  });

  it('counts must be integers in range, naming the option and what it accepts', () => {
    for (const value of [0, -1, 1.5, '4', Number.NaN]) {
      refuses(
        { mode: 'loop', concurrency: value },
        RangeError,
        /option 'concurrency' must be an integer >= 1/,
      );
    }
    refuses({ mode: 'loop', retries: -1 }, RangeError, /'retries' must be an integer >= 0/);
    refuses({ mode: 'loop', maxQueue: 0.5 }, RangeError, /'maxQueue'/);
    assert.equal(
      createExecutor({ mode: 'loop', concurrency: Number.POSITIVE_INFINITY }).mode,
      'loop',
    );
  });

  it('durations must be positive milliseconds', () => {
    for (const value of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, '100']) {
      refuses(
        { mode: 'loop', timeout: value },
        RangeError,
        /option 'timeout' must be a number of milliseconds > 0/,
      );
    }
    refuses({ mode: 'loop', idleTimeout: -1 }, RangeError, /'idleTimeout'.*>= 0/);
  });

  it('minWorkers is a count no larger than workers', () => {
    refuses(
      { mode: 'threads', minWorkers: -1 },
      RangeError,
      /'minWorkers' must be an integer >= 0/,
    );
    refuses(
      { mode: 'threads', workers: 2, minWorkers: 3 },
      RangeError,
      /'minWorkers' \(3\) must not exceed 'workers' \(2\)/,
    );
  });

  it('object and string options are checked for their shape', () => {
    refuses(
      { mode: 'loop', resourceLimits: 64 },
      TypeError,
      /'resourceLimits'.*maxOldGenerationSizeMb/,
    );
    refuses({ mode: 'loop', connection: 6379 }, TypeError, /'connection'.*redis:\/\//);
    refuses({ mode: 'loop', queue: '' }, TypeError, /'queue' must be a non-empty string/);
  });

  it('sync runs one task at a time whatever it is asked', () => {
    assert.equal(createExecutor({ mode: 'sync', concurrency: 8 }).stats().concurrency, 1);
    assert.equal(createExecutor({ mode: 'loop' }).stats().concurrency, 64);
    assert.equal(createExecutor({ mode: 'loop', concurrency: 7 }).stats().concurrency, 7);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkExecutorOptions } from '../../src/core/check-options.js';
import { DEFAULTS, MAX_WORKERS } from '../../src/core/defaults.js';
import {
  AVAILABLE_MODES,
  createExecutor,
  type ExecutorOptions,
  MODES,
  type Mode,
} from '../../src/index.js';

const POOL_OPTIONS = {
  timeout: 1,
  maxQueue: 1,
  concurrency: 2,
  workers: 2,
  tasksPerWorker: 1,
  retries: 1,
  resourceLimits: { maxOldGenerationSizeMb: 64 },
  maxTasksPerWorker: 10,
  minWorkers: 1,
  idleTimeout: 10,
};

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

  it('an unknown option is a TypeError that names it and lists the known ones', () => {
    refuses({ mode: 'loop', concurency: 4 }, TypeError, /'concurency'/, /timeout, maxQueue/);
    refuses({ mode: 'threads', Workers: 4 }, TypeError, /'Workers'.*did you mean 'workers'/);
  });

  it('an option the mode does not take is a TypeError naming the modes that take it', () => {
    refuses(
      { mode: 'loop', workers: 4 },
      TypeError,
      /option 'workers' does not apply to mode 'loop'/,
      /taken by 'threads', 'processes', 'auto'/,
      /Mode 'loop' takes timeout, maxQueue, concurrency/,
    );
    refuses({ mode: 'loop', resourceLimits: {} }, TypeError, /'resourceLimits' does not apply/);
    refuses({ mode: 'sync', concurrency: 8 }, TypeError, /taken by 'loop', 'threads'/);
    refuses({ mode: 'threads', queue: 'q' }, TypeError, /taken by 'distributed'/);
    refuses({ mode: 'distributed', workers: 2 }, TypeError, /'workers' does not apply/);
  });

  it('every mode takes exactly the options its type declares', () => {
    const accepted: Record<Mode, Record<string, unknown>> = {
      sync: { timeout: 1, maxQueue: 1 },
      loop: { timeout: 1, maxQueue: 1, concurrency: 1 },
      threads: POOL_OPTIONS,
      processes: POOL_OPTIONS,
      auto: POOL_OPTIONS,
      distributed: { timeout: 1, maxQueue: 1, concurrency: 1, retries: 0, queue: 'q' },
    };
    for (const mode of MODES) {
      const options = { mode, ...accepted[mode] } as ExecutorOptions;
      assert.equal(checkExecutorOptions(options), options);
    }
  });

  it('counts must be integers in range, naming the option and what it accepts', () => {
    for (const value of [0, -1, 1.5, '4', Number.NaN]) {
      refuses(
        { mode: 'loop', concurrency: value },
        RangeError,
        /option 'concurrency' must be an integer >= 1/,
      );
    }
    refuses({ mode: 'threads', retries: -1 }, RangeError, /'retries' must be an integer >= 0/);
    refuses({ mode: 'threads', retries: Number.POSITIVE_INFINITY }, RangeError, /'retries'/);
    refuses({ mode: 'threads', workers: Number.POSITIVE_INFINITY }, RangeError, /'workers'/);
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
    refuses({ mode: 'threads', idleTimeout: -1 }, RangeError, /'idleTimeout'.*>= 0/);
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
      { mode: 'threads', resourceLimits: 64 },
      TypeError,
      /'resourceLimits'.*maxOldGenerationSizeMb/,
    );
    refuses({ mode: 'distributed', connection: 6379 }, TypeError, /'connection'.*redis:\/\//);
    refuses({ mode: 'distributed', queue: '' }, TypeError, /'queue' must be a non-empty string/);
  });

  it("a pool's concurrency must agree with workers × tasksPerWorker when both are given", () => {
    refuses(
      { mode: 'threads', workers: 2, concurrency: 8 },
      RangeError,
      /'concurrency' \(8\) disagrees with 'workers' × 'tasksPerWorker' \(2 × 1\)/,
    );
    const agreeing = createExecutor({
      mode: 'processes',
      workers: 2,
      tasksPerWorker: 4,
      concurrency: 8,
    });
    assert.equal(agreeing.stats().concurrency, 8);
    assert.equal(
      createExecutor({ mode: 'threads', concurrency: 6, tasksPerWorker: 3 }).stats().concurrency,
      6,
    );
  });

  it('a pool has at most MAX_WORKERS workers, given directly or through concurrency', async () => {
    for (const mode of ['threads', 'processes', 'auto'] as const) {
      refuses(
        { mode, workers: MAX_WORKERS + 1 },
        RangeError,
        new RegExp(`'workers' must be at most ${MAX_WORKERS}, got ${MAX_WORKERS + 1}`),
        /mode 'loop'/,
      );
    }
    refuses(
      { mode: 'threads', concurrency: 5000 },
      RangeError,
      new RegExp(`'concurrency' \\(5000\\) would start 5000 workers.*at most ${MAX_WORKERS}`),
    );
    refuses(
      { mode: 'processes', concurrency: Number.POSITIVE_INFINITY },
      RangeError,
      /'concurrency' \(Infinity\) would start unboundedly many workers/,
    );
    // The bound is on workers, not on tasks in flight.
    const wide = createExecutor({ mode: 'threads', concurrency: 5000, tasksPerWorker: 5 });
    assert.equal(wide.stats().concurrency, 5000);
    const capped = createExecutor({ mode: 'threads', workers: MAX_WORKERS });
    assert.equal(capped.stats().concurrency, MAX_WORKERS);
    const unlimited = createExecutor({ mode: 'auto', concurrency: Number.POSITIVE_INFINITY });
    await Promise.all([wide.close(), capped.close(), unlimited.close()]);
  });

  it('resourceLimits takes only known caps, each a positive number of MB', () => {
    refuses(
      { mode: 'threads', resourceLimits: { maxOldGenerationSizeMB: 64 } },
      TypeError,
      /no cap 'maxOldGenerationSizeMB'; did you mean 'maxOldGenerationSizeMb'\?/,
    );
    for (const value of [-1, 0, Number.NaN, Number.POSITIVE_INFINITY, '64']) {
      refuses(
        { mode: 'processes', resourceLimits: { maxOldGenerationSizeMb: value } },
        RangeError,
        /'resourceLimits.maxOldGenerationSizeMb' must be a number of MB > 0/,
      );
    }
  });

  it('a wrong value is shown as given: a string in quotes, an object by its kind', () => {
    refuses(
      { mode: 'threads', workers: '2' },
      RangeError,
      /'workers' must be an integer >= 1, got "2"/,
    );
    refuses({ mode: 'loop', timeout: '5000' }, RangeError, /got "5000"/);
    refuses({ mode: 'loop', maxQueue: { n: 1 } }, RangeError, /'maxQueue'.*got an object/);
  });

  it('an unknown option one or two letters off a known one is named', () => {
    refuses(
      { mode: 'threads', worker: 2 },
      TypeError,
      /unknown option 'worker'; did you mean 'workers'\?/,
    );
    refuses({ mode: 'loop', timout: 5 }, TypeError, /did you mean 'timeout'\?/);
    refuses({ mode: 'loop', speed: 5 }, TypeError, /unknown option 'speed'; known options are/);
  });

  it("a pool's concurrency without workers is a multiple of tasksPerWorker", () => {
    refuses(
      { mode: 'threads', concurrency: 5, tasksPerWorker: 2 },
      RangeError,
      /'concurrency' \(5\) is not a multiple of 'tasksPerWorker' \(2\).*use 4 or 6/,
    );
    refuses({ mode: 'processes', concurrency: 2, tasksPerWorker: 3 }, RangeError, /use 3$/);
    // auto takes both as caps, so they need not divide.
    assert.equal(createExecutor({ mode: 'auto', concurrency: 5, tasksPerWorker: 2 }).mode, 'auto');
  });

  it('sync runs one task at a time; loop takes its concurrency or the default', () => {
    assert.equal(createExecutor({ mode: 'sync' }).stats().concurrency, 1);
    assert.equal(createExecutor({ mode: 'loop' }).stats().concurrency, DEFAULTS.loopConcurrency);
    assert.equal(createExecutor({ mode: 'loop', concurrency: 7 }).stats().concurrency, 7);
  });

  it('AVAILABLE_MODES, kept for old imports, lists every mode', () => {
    assert.deepEqual([...AVAILABLE_MODES], [...MODES]);
  });
});

describe('per-call options', () => {
  const echo = (n: number) => n;

  it('each call refuses an option it does not take, naming the calls that do', async () => {
    await using ex = createExecutor({ mode: 'loop' });
    assert.throws(
      () => ex.submit(echo, 1, { timout: 5 } as never),
      (error: unknown) =>
        error instanceof TypeError &&
        /submit\(\): unknown option 'timout'; did you mean 'timeout'\?; submit\(\) takes signal, timeout/.test(
          error.message,
        ),
    );
    assert.throws(
      () => ex.submit(echo, 1, { chunkSize: 2 } as never),
      /submit\(\): unknown option 'chunkSize'; it is taken by map\(\), mapSettled\(\)/,
    );
    assert.throws(() => ex.map(echo, [1], { priority: 1 } as never), /it is taken by submit\(\)/);
    await assert.rejects(
      async () => ex.close({ cancel: 'yes' } as never),
      /'cancel' must be true or false, got "yes"/,
    );
    assert.equal(await ex.submit(echo, 3, { timeout: 1_000, priority: 1 }), 3);
  });
});

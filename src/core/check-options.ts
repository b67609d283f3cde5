/**
 * The checks that turn a wrong option into an error naming the option and what it accepts:
 * `createExecutor`'s options (per mode, see {@link MODE_OPTIONS}) and the options of
 * `submit`, `map`, `mapSettled` and `close`.
 */
import { checkCount, checkMilliseconds, checkSignal, shown, suggestion } from './checks.js';
import { MAX_WORKERS } from './defaults.js';
import { type ExecutorOptions, MODE_OPTIONS } from './options.js';
import { MODES, type Mode } from './types.js';

const WHERE = 'createExecutor()';

/** The caps `resourceLimits` takes, all in MB (the names of `worker_threads`' own option). */
const RESOURCE_LIMITS = [
  'maxOldGenerationSizeMb',
  'maxYoungGenerationSizeMb',
  'codeRangeSizeMb',
  'stackSizeMb',
] as const;

/** What the bound on workers protects, and what to use instead. */
const TOO_MANY_WORKERS =
  "each worker is a thread or a process with memory of its own; for work that mostly waits, use mode 'loop' (thousands in flight on one thread) or raise 'tasksPerWorker'";

/** Checks every option; throws `TypeError`/`RangeError` naming the option and the accepted values. */
export function checkExecutorOptions(options: unknown): ExecutorOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `${WHERE}: options must be an object such as { mode: 'loop' }, got ${options === null ? 'null' : typeof options}`,
    );
  }
  const given = options as Record<string, unknown>;
  const mode = given.mode as Mode;
  if (!MODES.includes(mode)) {
    throw new RangeError(
      `${WHERE}: option 'mode' must be one of ${MODES.map((m) => `'${m}'`).join(', ')}; got ${JSON.stringify(given.mode) ?? 'undefined'}`,
    );
  }
  for (const key of Object.keys(given)) checkTaken(key, mode);
  checkCount(given, 'concurrency', 1, { unlimited: true });
  checkCount(given, 'workers', 1);
  if ((given.workers as number) > MAX_WORKERS) {
    throw new RangeError(
      `${WHERE}: option 'workers' must be at most ${MAX_WORKERS}, got ${given.workers}: ${TOO_MANY_WORKERS}`,
    );
  }
  checkCount(given, 'tasksPerWorker', 1);
  checkMilliseconds(given, 'timeout');
  checkCount(given, 'retries', 0);
  checkCount(given, 'maxQueue', 0, { unlimited: true });
  checkCount(given, 'maxTasksPerWorker', 1, { unlimited: true });
  checkMilliseconds(given, 'idleTimeout', true);
  checkCount(given, 'minWorkers', 0);
  const { minWorkers, workers } = given as { minWorkers?: number; workers?: number };
  if (minWorkers !== undefined && workers !== undefined && minWorkers > workers) {
    throw new RangeError(
      `${WHERE}: option 'minWorkers' (${minWorkers}) must not exceed 'workers' (${workers}); lower minWorkers or raise workers`,
    );
  }
  checkPoolSize(given);
  checkResourceLimits(given.resourceLimits);
  if (
    given.connection !== undefined &&
    typeof given.connection !== 'string' &&
    (typeof given.connection !== 'object' || given.connection === null)
  ) {
    throw new TypeError(
      `${WHERE}: option 'connection' must be a Redis URL such as 'redis://127.0.0.1:6379' or an ioredis options object`,
    );
  }
  if (given.queue !== undefined && (typeof given.queue !== 'string' || given.queue.length === 0)) {
    throw new TypeError(`${WHERE}: option 'queue' must be a non-empty string`);
  }
  return given as unknown as ExecutorOptions;
}

/** An option the mode does not take is refused, naming the modes that take it. */
function checkTaken(key: string, mode: Mode): void {
  if ((MODE_OPTIONS[mode] as readonly string[]).includes(key)) return;
  const takers = MODES.filter((m) => (MODE_OPTIONS[m] as readonly string[]).includes(key));
  if (takers.length === 0) {
    const known = [...new Set(MODES.flatMap((m) => MODE_OPTIONS[m]))];
    throw new TypeError(
      `${WHERE}: unknown option '${key}'${suggestion(key, known)}; known options are ${known.join(', ')}`,
    );
  }
  throw new TypeError(
    `${WHERE}: option '${key}' does not apply to mode '${mode}'; it is taken by ${takers.map((m) => `'${m}'`).join(', ')}. Mode '${mode}' takes ${MODE_OPTIONS[mode].filter((o) => o !== 'mode').join(', ')}`,
  );
}

/**
 * A pool's `workers × tasksPerWorker` is its concurrency: given both, `concurrency` must
 * agree, rather than be silently overruled. (Under `auto`, `concurrency` caps every mode it
 * uses and `workers` sizes a pool it may choose, so both may be given.)
 */
function checkPoolSize(given: Record<string, unknown>): void {
  if (given.mode !== 'threads' && given.mode !== 'processes') return;
  const {
    concurrency,
    workers,
    tasksPerWorker = 1,
  } = given as {
    concurrency?: number;
    workers?: number;
    tasksPerWorker?: number;
  };
  if (concurrency === undefined) return;
  if (workers === undefined && Number.isFinite(concurrency) && concurrency % tasksPerWorker !== 0) {
    const below = concurrency - (concurrency % tasksPerWorker);
    throw new RangeError(
      `${WHERE}: option 'concurrency' (${concurrency}) is not a multiple of 'tasksPerWorker' (${tasksPerWorker}); a pool runs workers × tasksPerWorker tasks at once — use ${below > 0 ? `${below} or ` : ''}${below + tasksPerWorker}`,
    );
  }
  if (workers === undefined) {
    // The pool gets enough workers for `concurrency`: bounded like `workers` itself.
    if (concurrency / tasksPerWorker <= MAX_WORKERS) return;
    throw new RangeError(
      `${WHERE}: option 'concurrency' (${concurrency}) would start ${Number.isFinite(concurrency) ? Math.ceil(concurrency / tasksPerWorker) : 'unboundedly many'} workers (concurrency ÷ tasksPerWorker), at most ${MAX_WORKERS}: ${TOO_MANY_WORKERS}`,
    );
  }
  if (concurrency === workers * tasksPerWorker) return;
  throw new RangeError(
    `${WHERE}: option 'concurrency' (${concurrency}) disagrees with 'workers' × 'tasksPerWorker' (${workers} × ${tasksPerWorker}); a pool runs workers × tasksPerWorker tasks at once — give one of concurrency and workers`,
  );
}

function checkResourceLimits(limits: unknown): void {
  if (limits === undefined) return;
  const example = `such as { maxOldGenerationSizeMb: 256 }`;
  if (typeof limits !== 'object' || limits === null) {
    throw new TypeError(`${WHERE}: option 'resourceLimits' must be an object ${example}`);
  }
  for (const [key, value] of Object.entries(limits)) {
    if (!(RESOURCE_LIMITS as readonly string[]).includes(key)) {
      throw new TypeError(
        `${WHERE}: option 'resourceLimits' has no cap '${key}'${suggestion(key, RESOURCE_LIMITS)}; it takes ${RESOURCE_LIMITS.join(', ')}`,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(
        `${WHERE}: option 'resourceLimits.${key}' must be a number of MB > 0, got ${shown(value)}`,
      );
    }
  }
}

/** Options left out: one shared object, not one per call. */
const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({});

/** The options each call takes (see `SubmitOptions`, `MapOptions`, `CloseOptions`). */
const CALL_OPTIONS = {
  'submit()': ['signal', 'timeout', 'transfer', 'priority', 'onProgress'],
  'map()': ['ordered', 'signal', 'timeout', 'chunkSize', 'onProgress'],
  'mapSettled()': ['ordered', 'signal', 'timeout', 'chunkSize', 'onProgress'],
  'close()': ['cancel', 'timeout'],
} as const;

export type Call = keyof typeof CALL_OPTIONS;

/** Validates the options of `submit`, `map`, `mapSettled` or `close`. */
export function checkCallOptions(options: unknown, where: Call): Record<string, unknown> {
  if (options === undefined) return NO_OPTIONS;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `${where}: options must be an object, got ${options === null ? 'null' : typeof options}`,
    );
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) checkCallTakes(where, key);
  if (given.cancel !== undefined && typeof given.cancel !== 'boolean') {
    throw new TypeError(
      `${where}: option 'cancel' must be true or false, got ${shown(given.cancel)}`,
    );
  }
  checkSignal(given.signal, where);
  checkMilliseconds(given, 'timeout', false, where);
  checkCount(given, 'chunkSize', 1, { where });
  if (given.priority !== undefined && !Number.isFinite(given.priority)) {
    throw new RangeError(
      `${where}: option 'priority' must be a finite number (higher runs first), got ${shown(given.priority)}`,
    );
  }
  if (given.onProgress !== undefined && typeof given.onProgress !== 'function') {
    throw new TypeError(
      `${where}: option 'onProgress' must be a function, got ${typeof given.onProgress}`,
    );
  }
  if (given.ordered !== undefined && typeof given.ordered !== 'boolean') {
    throw new TypeError(
      `${where}: option 'ordered' must be true or false, got ${shown(given.ordered)}`,
    );
  }
  if (given.transfer !== undefined && !Array.isArray(given.transfer)) {
    throw new TypeError(
      `${where}: option 'transfer' must be an array of transferable objects (ArrayBuffer, MessagePort, …)`,
    );
  }
  return given;
}

/** An option `where` does not take is refused, naming the calls that take it or the ones it takes. */
function checkCallTakes(where: Call, key: string): void {
  const takes: readonly string[] = CALL_OPTIONS[where];
  if (takes.includes(key)) return;
  const takers = (Object.keys(CALL_OPTIONS) as Call[]).filter((call) =>
    (CALL_OPTIONS[call] as readonly string[]).includes(key),
  );
  const elsewhere = takers.length > 0 ? `; it is taken by ${takers.join(', ')}` : '';
  throw new TypeError(
    `${where}: unknown option '${key}'${elsewhere || suggestion(key, takes)}; ${where} takes ${takes.join(', ')}`,
  );
}

/**
 * A fault storm against a real pool: mixed inputs that throw, exit their worker, loop
 * forever under a timeout, eat memory past `resourceLimits`, and (processes) die of
 * SIGSEGV, first one `submit` each, then through a chunked `mapSettled`. It checks that
 * every input settles exactly once with the right outcome, that the pool is back at full
 * size afterwards, and that no worker process outlives it.
 *
 * `storm.test.ts` runs it scaled down; the full storm is a script:
 *
 *   node --import tsx test/runners/pool/storm.ts [inputs=2000] [timeoutMs=200]
 */
import { fileURLToPath } from 'node:url';
import {
  createExecutor,
  TaskError,
  TimeoutError,
  task,
  WorkerCrashedError,
} from '../../../src/index.js';
import { workersOf } from './proc.js';

export type Kind = 'ok' | 'throw' | 'exit' | 'endless' | 'hog' | 'segfault';
type Mode = 'threads' | 'processes';

export interface StormFigures {
  readonly mode: Mode;
  readonly phase: 'submit' | 'mapSettled';
  readonly inputs: number;
  /** Inputs by kind, and by the outcome they got. */
  readonly kinds: Record<string, number>;
  readonly outcomes: Record<string, number>;
  /** Inputs whose outcome was not the one their kind calls for, described. */
  readonly wrong: readonly string[];
  /** Inputs answered more than once, and never. */
  readonly repeated: number;
  readonly missing: number;
  readonly retried: number;
  readonly workers: number;
  readonly wallMs: number;
}

const WORKERS = 2;
const storm = task<{ i: number; kind: Kind }, number>(
  new URL('./fixtures/tasks.mjs', import.meta.url),
  'storm',
);

/**
 * `count` inputs, shuffled: in every hundred, 5 throw, 2 exit, 1 never ends, 1 hogs memory
 * and (processes) 1 dies of SIGSEGV — a SIGSEGV in a thread would end the whole program.
 */
export function stormInputs(count: number, mode: Mode, withEndless: boolean) {
  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const kindOf = (i: number): Kind => {
    const slot = i % 100;
    if (slot < 5) return 'throw';
    if (slot < 7) return 'exit';
    if (slot === 7) return withEndless ? 'endless' : 'ok';
    if (slot === 8) return 'hog';
    if (slot === 9) return mode === 'processes' ? 'segfault' : 'ok';
    return 'ok';
  };
  const kinds = Array.from({ length: count }, (_, i) => kindOf(i));
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  return kinds.map((kind, i) => ({ i, kind }));
}

/** The outcome an input of `kind` must get, as a word, and whether `outcome` is it. */
function verdict(kind: Kind, i: number, outcome: unknown): { word: string; right: boolean } {
  if (!(outcome instanceof Error)) return { word: 'ok', right: kind === 'ok' && outcome === i };
  const word =
    outcome instanceof WorkerCrashedError
      ? outcome.memoryLimit
        ? 'WorkerCrashedError(memory)'
        : outcome.signal
          ? `WorkerCrashedError(${outcome.signal})`
          : `WorkerCrashedError(exit ${outcome.exitCode})`
      : outcome.name;
  const expected: Record<Kind, boolean> = {
    ok: false,
    throw: outcome instanceof TaskError,
    exit: outcome instanceof WorkerCrashedError && outcome.exitCode === 7,
    endless: outcome instanceof TimeoutError,
    hog: outcome instanceof WorkerCrashedError && outcome.memoryLimit,
    segfault: outcome instanceof WorkerCrashedError && outcome.signal === 'SIGSEGV',
  };
  return { word, right: expected[kind] };
}

/** Runs one storm phase on a fresh pool and closes it. */
export async function runStorm(
  mode: Mode,
  phase: StormFigures['phase'],
  count: number,
  timeout: number,
): Promise<StormFigures> {
  const ex = createExecutor({
    mode,
    workers: WORKERS,
    resourceLimits: { maxOldGenerationSizeMb: 64 },
  });
  const inputs = stormInputs(count, mode, phase === 'submit');
  const answers = new Map<number, unknown[]>();
  const record = (i: number, outcome: unknown) => {
    const seen = answers.get(i) ?? [];
    seen.push(outcome);
    answers.set(i, seen);
  };
  const started = performance.now();
  try {
    await ex.submit(storm, { i: -1, kind: 'ok' });
    if (phase === 'submit') {
      await Promise.all(
        inputs.map(({ i, kind }) =>
          // A memory hog gets the time it needs to reach its cap; every other input the storm's timeout.
          ex.submit(storm, { i, kind }, { timeout: kind === 'hog' ? 60_000 : timeout }).then(
            (value) => record(i, value),
            (error: unknown) => record(i, error),
          ),
        ),
      );
    } else {
      for await (const settled of ex.mapSettled(storm, inputs, { chunkSize: 16 }))
        record(settled.index, settled.ok ? settled.value : settled.error);
    }
    const full = performance.now();
    while (ex.stats().workers < WORKERS && performance.now() - full < 30_000)
      await new Promise((resolve) => setTimeout(resolve, 20));
    return summarize(mode, phase, inputs, answers, ex.stats(), performance.now() - started);
  } finally {
    await ex.close();
  }
}

function summarize(
  mode: Mode,
  phase: StormFigures['phase'],
  inputs: readonly { i: number; kind: Kind }[],
  answers: ReadonlyMap<number, unknown[]>,
  stats: { workers: number; retried: number },
  wallMs: number,
): StormFigures {
  const kinds: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const wrong: string[] = [];
  let repeated = 0;
  let missing = 0;
  for (const { i, kind } of inputs) {
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const seen = answers.get(i) ?? [];
    if (seen.length === 0) missing++;
    if (seen.length > 1) repeated++;
    if (seen.length === 0) continue;
    const { word, right } = verdict(kind, i, seen[0]);
    outcomes[word] = (outcomes[word] ?? 0) + 1;
    if (!right) wrong.push(`input ${i} (${kind}): ${word}: ${String(seen[0]).slice(0, 160)}`);
  }
  return {
    mode,
    phase,
    inputs: inputs.length,
    kinds,
    outcomes,
    wrong,
    repeated,
    missing,
    retried: stats.retried,
    workers: stats.workers,
    wallMs: Math.round(wallMs),
  };
}

/** Worker processes of this program still alive. */
export const orphans = (): number => workersOf(process.pid).length;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const count = Number(process.argv[2] ?? 2_000);
  const timeout = Number(process.argv[3] ?? 200);
  for (const mode of ['threads', 'processes'] as const) {
    for (const phase of ['submit', 'mapSettled'] as const) {
      const figures = await runStorm(mode, phase, count, timeout);
      console.log(JSON.stringify({ ...figures, orphansAfterClose: orphans() }));
    }
  }
}

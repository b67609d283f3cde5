/**
 * Plain-words conclusions drawn from the measured figures: which model to use for each job,
 * why, and what the figures cannot tell. A mode is named the winner only when its runs
 * stand apart from the runner-up's; modes whose spreads overlap are a tie, and the
 * simplest of them is recommended (see `ties.ts`).
 *
 * @module
 */
import type { Mode } from '../core/types.js';
import { formatMs, formatRange, formatRatio } from './format.js';
import { pythonContrast } from './python-verdicts.js';
import type { BenchSettings } from './settings.js';
import {
  ASSUMED_NOISE,
  type Entrant,
  noiseInterval,
  overlap,
  RESOLUTION,
  type Standing,
  standing,
} from './ties.js';
import {
  type Contender,
  isPython,
  type JobReport,
  type Machine,
  type ModeResult,
} from './types.js';

/** A job's figures, before the verdicts are drawn. */
export type JobFigures = Omit<JobReport, 'recommended' | 'tied' | 'verdicts'>;

/** What the figures say about one job. */
export type Judgement = Pick<JobReport, 'recommended' | 'tied' | 'verdicts'>;

/** A mode with figures. */
export type Ran = ModeResult & { readonly wallMs: number; readonly cpuMs: number };

/**
 * Below this, the fastest mode's time is of the order of what every measurement here
 * carries anyway — executor start of a run, a message to a worker, a scheduler time
 * slice on a busy core — so the models cannot be compared at that size.
 */
const MIN_COMPARABLE_MS = 50;
/** Start-up above this share of `sync`'s time is worth a sentence: it changes the picture for a program that runs once. */
const NOTABLE_STARTUP_SHARE = 0.1;

const JOB_TITLES = { io: 'I/O-bound', cpu: 'CPU-bound' } as const;

/** Why the simplest of tied modes is the simplest. */
const SIMPLEST_BECAUSE: Readonly<Record<Mode, string>> = {
  sync: 'no concurrency at all',
  loop: 'one thread, no workers to start or feed',
  threads: 'one process, whose workers start faster and share more than processes do',
  processes: 'separate processes, each with its own heap',
  distributed: 'workers behind a queue',
  auto: 'it chooses one of the others by itself',
};

/** The recommendation, the tie, and the sentences for one job. */
export function judge(job: JobFigures, machine: Machine, settings: BenchSettings): Judgement {
  const title = JOB_TITLES[job.job];
  const ran = job.results.filter(
    (r): r is Ran => !isPython(r.mode) && r.wallMs !== null && r.cpuMs !== null,
  );
  if (ran.length === 0) {
    return {
      recommended: null,
      tied: [],
      verdicts: [`${title}: no mode could run (${reasons(job)}).`],
    };
  }
  const wrong = ran.filter((r) => !r.verified).map((r) => r.mode);
  const warnings =
    wrong.length > 0
      ? [`${title}: WRONG RESULTS from ${wrong.join(', ')}; their times do not count.`]
      : [];
  const right = ran.filter((r) => r.verified);
  const stand = standing(right.map(entrant));
  if (!stand) return { recommended: null, tied: [], verdicts: warnings };
  const fastest = find(right, stand.fastest)!;
  if (fastest.wallMs < MIN_COMPARABLE_MS) {
    const advice = settings.quick ? 'run without --quick' : 'use larger sizes';
    return {
      recommended: null,
      tied: [],
      verdicts: [
        ...warnings,
        `${title}: too small to compare models: the fastest mode took ${formatMs(fastest.wallMs)}, and at that size the start of a run, messages to workers and the scheduler's time slices weigh as much as the work itself; ${advice} for figures that can tell the models apart.`,
      ],
    };
  }
  const lessons = job.job === 'io' ? ioLessons(job, stand, right) : cpuLessons(job, right, machine);
  const auto = find(ran, 'auto')?.decision;
  return {
    recommended: stand.recommended,
    tied: stand.tied,
    verdicts: [
      ...warnings,
      headline(job, stand, right, machine),
      ...lessons,
      ...(auto ? [`${title}: auto chose ${auto}`] : []),
      ...pythonContrast(job, right),
      ...belowTheLimit(job),
    ],
  };
}

/**
 * A row faster than the physical limit beyond noise did what no model can: the machine ran
 * faster for it than for its `sync` (other work on it came and went, or a single long run
 * met a different machine than the other). Say so rather than let the figure teach.
 */
function belowTheLimit(job: JobFigures): string[] {
  const impossible = job.results.filter(
    (r) => r.verified && r.limitRatio !== null && r.limitRatio < 1 - ASSUMED_NOISE,
  );
  if (impossible.length === 0) return [];
  const rows = impossible.map((r) => `${r.mode} at ${formatRatio(r.limitRatio)} of it`);
  return [
    `${names(rows)} finished below the physical limit, which no model can do: the machine ran faster for ${impossible.length === 1 ? 'it' : 'them'} than for sync, as other work on it came and went, so take ${impossible.length === 1 ? 'that figure' : 'those figures'} as rough.`,
  ];
}

/** Remarks about the whole run. */
export function notes(machine: Machine): string[] {
  return busy(machine)
    ? [
        `The machine was busy (load average ${machine.loadAverage.toFixed(2)} on ${machine.cores} cores): other work competed for the cores, so parallel speedups are understated and spreads wider; run again on an idle machine for clean figures.`,
      ]
    : [];
}

/** A loaded machine lends parallel modes fewer cores than it has. */
function busy(machine: Machine): boolean {
  return machine.loadAverage > machine.cores / 2;
}

function entrant(r: Ran): Entrant {
  return {
    mode: r.mode as Mode,
    wallMs: r.wallMs,
    interval: noiseInterval(r.runs.map((x) => x.wallMs)),
  };
}

/** The first sentence: the recommendation, whether the figures separate it, and why it got there. */
function headline(
  job: JobFigures,
  stand: Standing,
  right: readonly Ran[],
  machine: Machine,
): string {
  const title = JOB_TITLES[job.job];
  const rec = find(right, stand.recommended)!;
  const why = `${job.job === 'io' ? ioWhy(job)[rec.mode as Mode] : cpuWhy(machine)[rec.mode as Mode]}`;
  const ratios = [
    ...(rec.mode === 'sync' || rec.speedup == null
      ? []
      : [`${formatRatio(rec.speedup)} faster than sync`]),
    ...(job.job === 'io'
      ? [`${formatRatio(rec.limitRatio)} the latency bound (${formatMs(job.limitMs)})`]
      : []),
  ];
  if (stand.tied.length > 0) {
    const tied = stand.tied.map((m) => find(right, m)!);
    return `${title}: ${names(stand.tied)} tie: their spreads overlap or lie within about ${Math.round(2 * RESOLUTION * 100)}% of each other (${tied.map((r) => `${r.mode} ${figure(r)}`).join('; ')}), so these runs cannot order them. ${rec.mode} is recommended as the simplest of them (${SIMPLEST_BECAUSE[rec.mode as Mode]})${cpuClause(rec, tied)}${ratios.length > 0 ? `: ${ratios.join(', ')}` : ''}; ${why}.`;
  }
  const runnerUp = stand.runnerUp ? find(right, stand.runnerUp) : undefined;
  const apart = runnerUp
    ? `, clear of the runner-up ${runnerUp.mode} (${figure(runnerUp)})`
    : ', the only mode that ran';
  return `${title}: ${rec.mode} is recommended: it was the fastest, ${[figure(rec), ...ratios].join(', ')}${apart}; ${why}.`;
}

/** Whether the recommended mode also used the least CPU of the tied ones (within noise), in words. */
function cpuClause(rec: Ran, tied: readonly Ran[]): string {
  const others = tied.filter((r) => r !== rec);
  const leanest = [...tied].sort((a, b) => a.cpuMs - b.cpuMs)[0]!;
  const against = others.map((r) => `${r.mode} ${formatMs(r.cpuMs)}`).join(', ');
  const noisy = (a: Ran, b: Ran) => a.cpuMs <= b.cpuMs * (1 + ASSUMED_NOISE);
  if (others.every((r) => !noisy(r, rec)))
    return ` and the one that used the least CPU (${formatMs(rec.cpuMs)}, against ${against})`;
  return noisy(rec, leanest)
    ? ` and used as little CPU as any of them (${formatMs(rec.cpuMs)}, against ${against})`
    : `; ${leanest.mode} used less CPU (${formatMs(leanest.cpuMs)}, against ${formatMs(rec.cpuMs)})`;
}

function ioWhy(job: JobFigures): Readonly<Record<Mode, string>> {
  const { concurrency } = job.params;
  return {
    loop: `one thread keeps ${concurrency} downloads in flight and sleeps while they wait: waiting needs no extra threads`,
    threads: 'each worker thread keeps its share of the downloads in flight on its own event loop',
    processes:
      'each worker process keeps its share of the downloads in flight on its own event loop',
    distributed: 'the queue’s workers kept their shares of the downloads in flight',
    auto: 'auto picked a mode that overlaps the waits',
    sync: 'one download at a time was as fast as any model here',
  };
}

function cpuWhy(machine: Machine): Readonly<Record<Mode, string>> {
  const oneCore = busy(machine)
    ? `no mode that uses more cores got ahead of it here: other work on the machine (load average ${machine.loadAverage.toFixed(2)} on ${machine.cores} cores) left them no core to spare`
    : 'no mode that uses more cores got ahead of it here';
  return {
    threads: `worker threads compute on ${machine.cores} cores at once (no GIL: each thread has its own V8 isolate)`,
    processes: `child processes compute on ${machine.cores} cores at once`,
    distributed: 'the queue’s workers computed in parallel',
    auto: 'auto picked a parallel mode',
    sync: oneCore,
    loop: oneCore,
  };
}

function ioLessons(job: JobFigures, stand: Standing, right: readonly Ran[]): string[] {
  const sync = find(right, 'sync');
  const lessons: string[] = [];
  if (sync) {
    lessons.push(
      `sync waits for each of the ${job.params.sites} replies in turn (${formatMs(sync.wallMs)}).`,
    );
  }
  const pools = right.filter((r) => r.mode === 'threads' || r.mode === 'processes');
  if (stand.recommended === 'loop' && pools.length > 0) {
    const one = pools.length === 1;
    lessons.push(
      `${names(pools.map((r) => r.mode))} ${one ? 'overlaps' : 'overlap'} the waits too, but ${one ? 'pays' : 'pay'} for workers and messages this job does not need.`,
    );
  }
  return lessons;
}

function cpuLessons(job: JobFigures, right: readonly Ran[], machine: Machine): string[] {
  const lessons: string[] = [];
  const sync = find(right, 'sync');
  const loop = find(right, 'loop');
  if (sync && loop) {
    const same = overlap(entrant(sync).interval, entrant(loop).interval);
    lessons.push(
      `loop ${same ? 'is within noise of sync' : `ran at ${formatRatio(loop.speedup)} sync's speed`}: cooperative multitasking cannot help CPU work, because these tasks never await — one runs to the end before the next starts, on one core of ${machine.cores}.`,
    );
  }
  const slow = sync
    ? job.results.filter(
        (r) =>
          r.mode !== 'sync' &&
          !isPython(r.mode) &&
          r.startupMs != null &&
          r.startupMs > NOTABLE_STARTUP_SHARE * sync.wallMs,
      )
    : [];
  if (sync && slow.length > 0) {
    lessons.push(
      `Start-up is shown apart: ${slow.map((r) => `${r.mode} took ${formatMs(r.startupMs)} to start`).join(', ')}, against sync's ${formatMs(sync.wallMs)} for the whole job; a program that runs the job once pays it.`,
    );
  }
  return lessons;
}

/** `118 ms, middle half 112–121 ms`, or `16.3 s (1 run)`: fewer than three runs show no spread. */
function figure(r: Ran): string {
  if (r.runs.length < 3 || !r.spreadMs)
    return `${formatMs(r.wallMs)} (${r.runs.length} run${r.runs.length === 1 ? '' : 's'})`;
  return `${formatMs(r.wallMs)}, middle half ${formatRange(r.spreadMs.low, r.spreadMs.high)}`;
}

/** `loop`, `loop and threads`, `loop, threads and processes`. */
function names(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function find<R extends ModeResult>(results: readonly R[], mode: Contender): R | undefined {
  return results.find((r) => r.mode === mode);
}

function reasons(job: JobFigures): string {
  return job.results
    .filter((r) => !isPython(r.mode))
    .map((r) => `${r.mode}: ${r.reason ?? 'no figures'}`)
    .join('; ');
}

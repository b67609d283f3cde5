/**
 * The knobs of `switchyard bench`, their defaults, and the sizes `--quick` uses.
 *
 * @module
 */

import { defaultPoolSize } from '../core/cpus.js';
import type { Mode } from '../core/types.js';
import { type RepeatPolicy, UNTIL_SETTLED } from './repeats.js';
import type { Comparison, JobName } from './types.js';

/** Everything a bench run needs; {@link benchSettings} fills in the defaults. */
export interface BenchSettings {
  /** @default ['io', 'cpu'] */
  readonly jobs: readonly JobName[];
  /** @default ['sync', 'loop', 'threads', 'processes'], plus 'distributed' with a `connection` */
  readonly modes: readonly Mode[];
  /** Other runtimes to run the same jobs in, as extra rows. @default [] */
  readonly compare: readonly Comparison[];
  /** Sites the I/O job downloads. @default 160 (as in the classic experiment) */
  readonly sites: number;
  /** Mean latency of each site in ms; each site deviates by a seeded ±5%. @default 100 */
  readonly latencyMs: number;
  /** Downloads in flight at once in the concurrent modes. @default `sites` */
  readonly concurrency: number;
  /** Pool size for `threads` and `processes`. @default the CPUs this process may use */
  readonly workers: number;
  /** CPUs the CPU job can spread over: its physical limit is `sync` time / cores. @default the CPUs this process may use */
  readonly cores: number;
  /** How many timed runs each mode gets. @default {@link UNTIL_SETTLED} */
  readonly repeat: RepeatPolicy;
  /**
   * Multiplies every n of the CPU job (5,000,000 + x).
   * @default undefined: calibrated so that `sync` takes about 2 s on this machine
   */
  readonly scale: number | undefined;
  /** The `--quick` sizes were asked for: the verdicts say what such small figures cannot show. @default false */
  readonly quick: boolean;
  /** Redis URL for the `distributed` mode. */
  readonly connection?: string | undefined;
  /** Queue of the `distributed` mode: one of its own per bench run. @default `switchyard-bench-<pid>` */
  readonly queue: string;
}

/** Modes run when `--modes` is not given. */
export function defaultModes(connection?: string): Mode[] {
  const local: Mode[] = ['sync', 'loop', 'threads', 'processes'];
  return connection ? [...local, 'distributed'] : local;
}

/** `--quick`: the whole experiment in a few seconds, at sizes too small to compare models. */
export const QUICK = {
  sites: 20,
  latencyMs: 20,
  scale: 0.05,
  repeat: { ...UNTIL_SETTLED, budgetMs: 1_000 },
  quick: true,
} as const satisfies Partial<BenchSettings>;

/** Fills in every setting that was not given. */
export function benchSettings(given: Partial<BenchSettings> = {}): BenchSettings {
  const sites = given.sites ?? 160;
  return {
    jobs: given.jobs ?? ['io', 'cpu'],
    modes: given.modes ?? defaultModes(given.connection),
    compare: given.compare ?? [],
    sites,
    latencyMs: given.latencyMs ?? 100,
    concurrency: given.concurrency ?? sites,
    workers: given.workers ?? defaultPoolSize(),
    cores: given.cores ?? defaultPoolSize(),
    repeat: given.repeat ?? UNTIL_SETTLED,
    scale: given.scale,
    quick: given.quick ?? false,
    connection: given.connection,
    queue: given.queue ?? `switchyard-bench-${process.pid}`,
  };
}

/** Why `mode` cannot run with these settings, or `undefined` when it can. */
export function missingSetting(mode: Mode, settings: BenchSettings): string | undefined {
  return mode === 'distributed' && !settings.connection
    ? 'not available: needs --connection redis://host:port (a Redis server to queue the work on)'
    : undefined;
}

/**
 * The knobs of `switchyard bench`, their defaults, and the sizes `--quick` uses.
 *
 * @module
 */

import { defaultPoolSize } from '../core/cpus.js';
import type { Mode } from '../core/types.js';
import type { JobName } from './types.js';

/** Everything a bench run needs; {@link benchSettings} fills in the defaults. */
export interface BenchSettings {
  /** @default ['io', 'cpu'] */
  readonly jobs: readonly JobName[];
  /** @default ['sync', 'loop', 'threads', 'processes'], plus 'distributed' with a `connection` */
  readonly modes: readonly Mode[];
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
  /** Runs per mode; the median is reported. @default 3 */
  readonly repeat: number;
  /** Multiplies every n of the CPU job (5,000,000 + x), to make it long enough for steady state. @default 1 */
  readonly scale: number;
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

/** `--quick`: the whole experiment in a few seconds, at sizes too small to trust. */
export const QUICK = { sites: 20, latencyMs: 20, repeat: 1, scale: 0.05 } as const;

/** Fills in every setting that was not given. */
export function benchSettings(given: Partial<BenchSettings> = {}): BenchSettings {
  const sites = given.sites ?? 160;
  return {
    jobs: given.jobs ?? ['io', 'cpu'],
    modes: given.modes ?? defaultModes(given.connection),
    sites,
    latencyMs: given.latencyMs ?? 100,
    concurrency: given.concurrency ?? sites,
    workers: given.workers ?? defaultPoolSize(),
    cores: given.cores ?? defaultPoolSize(),
    repeat: given.repeat ?? 3,
    scale: given.scale ?? 1,
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

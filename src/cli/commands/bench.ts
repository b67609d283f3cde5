/**
 * `switchyard bench`: the classic concurrency experiment on this machine — an I/O-bound and a
 * CPU-bound job under every mode — as tables with verdicts, `--json`, or an HTML report.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { TARGET_SYNC_MS } from '../../bench/calibrate.js';
import { MAX_SCALE } from '../../bench/experiments.js';
import { runBench } from '../../bench/lab.js';
import { benchProgress } from '../../bench/progress.js';
import { describePolicy, UNTIL_SETTLED } from '../../bench/repeats.js';
import { renderReport } from '../../bench/report.js';
import { type BenchSettings, benchSettings, missingSetting, QUICK } from '../../bench/settings.js';
import { renderTables, wantsColor } from '../../bench/table.js';
import {
  type BenchDocument,
  COMPARISONS,
  type Comparison,
  isPython,
  JOBS,
  type JobName,
} from '../../bench/types.js';
import { MAX_WORKERS } from '../../core/defaults.js';
import { MODES, type Mode } from '../../core/types.js';
import { RunFileError } from '../../run/errors.js';
import { SIGNAL_EXIT_CODES, type StopSignal } from '../../run/signals.js';
import { exitNow } from '../exit.js';
import { integerAtLeast, listOf, positiveAtMost, workerCount } from '../options.js';

interface BenchFlags {
  jobs?: JobName[];
  modes?: Mode[];
  compare?: Comparison[];
  sites?: number;
  latency?: number;
  concurrency?: number;
  workers?: number;
  repeat?: number;
  scale?: number;
  quick?: boolean;
  json?: boolean;
  report?: string;
  connection?: string;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'the classic concurrency experiment on this machine: download many sites (I/O-bound) and sum squares (CPU-bound) under every mode, then say which model to use and why',
    )
    .option(
      '--jobs <list>',
      `jobs to run, comma-separated: ${JOBS.join(', ')} (default: both)`,
      listOf(JOBS),
    )
    .option(
      '--modes <list>',
      `modes to compare, comma-separated: ${MODES.join(', ')} (default: sync,loop,threads,processes, plus distributed with --connection)`,
      listOf(MODES),
    )
    .option(
      '--compare <list>',
      `other runtimes to run the same jobs in, as extra rows: ${COMPARISONS.join(', ')} — the classic standard-library Python programs (sync, threading, asyncio, multiprocessing) through python3 on the PATH; at the calibrated CPU size Python takes minutes, --scale 1 seconds (default: none)`,
      listOf(COMPARISONS),
    )
    .option('--sites <n>', 'sites the I/O job downloads (default: 160)', integerAtLeast(1))
    .option(
      '--latency <ms>',
      'mean latency of each site in ms, with a seeded ±5% jitter (default: 100)',
      integerAtLeast(0),
    )
    .option(
      '--concurrency <n>',
      'downloads in flight at once (default: --sites)',
      integerAtLeast(1),
    )
    .option(
      '--workers <n>',
      `pool size for threads and processes, at most ${MAX_WORKERS} (default: usable CPUs)`,
      workerCount,
    )
    .option(
      '--repeat <n>',
      `exactly n timed runs per mode (default: ${describePolicy(UNTIL_SETTLED)})`,
      integerAtLeast(1),
    )
    .option(
      '--scale <k>',
      `multiplies every n of the CPU job, at most ${MAX_SCALE} (default: calibrated so that sync takes about ${TARGET_SYNC_MS / 1000} s here)`,
      positiveAtMost(MAX_SCALE),
    )
    .option(
      '--quick',
      `a few seconds at sizes too small to compare models, to see that everything runs: ${QUICK.sites} sites at ${QUICK.latencyMs} ms, scale ${QUICK.scale}, about ${QUICK.repeat.budgetMs / 1000} s per mode (default: off)`,
    )
    .option('--json', 'print the results as one JSON document on stdout (default: tables)')
    .option(
      '--report <file.html>',
      'also write a self-contained HTML report with charts (default: none)',
    )
    .option(
      '--connection <url>',
      'Redis URL (redis://host:port): adds the distributed mode (default: none)',
    )
    .addHelpText(
      'after',
      `
Each mode starts once (its start-up is shown apart); then the modes take turns, one
timed run of the whole job each per round, so that other work on the machine weighs on
all of them alike. The table shows each mode's median and where the middle half of its
runs lies. Modes whose middle halves overlap, or whose medians are within about 5% of
each other (closer than the runs can tell apart), are a tie, and the verdict recommends
the simplest of them (loop before threads before processes). The sites server runs in a
process of its own; CPU time counts this process and its child processes, the server
excepted. The physical limit is the slowest site's latency for I/O (no download finishes
sooner; with fewer in flight than sites, the latencies spread over the slots if longer)
and sync time / cores for CPU. A mode that is not available here is listed with the reason.

Examples:
  switchyard bench                          both jobs, every local mode (about a minute)
  switchyard bench --quick --json           a few seconds, machine-readable
  switchyard bench --compare python         the classic Python programs beside them
  switchyard bench --jobs cpu --scale 4     the CPU job at a size of your choice
  switchyard bench --report bench.html      charts in one self-contained page`,
    )
    .action(async (flags: BenchFlags, command: Command) => {
      const settings = settingsFrom(flags);
      checkModes(settings, command);
      // The bench takes a minute or more: a report it could not write must not wait for its end.
      if (flags.report) checkWritable(flags.report);
      const progress = benchProgress(settings, process.stderr);
      // Interrupted, the bench leaves the terminal as it found it; every process it started
      // (sites server, pools, Python) notices its parent is gone and ends by itself.
      const interrupted = (signal: StopSignal) => {
        progress.stop();
        exitNow(SIGNAL_EXIT_CODES[signal]);
      };
      process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
      let doc: Awaited<ReturnType<typeof runBench>>;
      try {
        doc = await runBench(settings, progress.update);
      } finally {
        progress.stop();
        process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
      }
      let unwritten: Error | undefined;
      if (flags.report) {
        try {
          await writeFile(flags.report, renderReport(doc));
          process.stderr.write(`report written to ${flags.report}\n`);
        } catch (error) {
          // Something changed since the check: the results still go to stdout.
          unwritten = new RunFileError('--report', flags.report, error);
        }
      }
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(doc, null, 2)}\n`
          : renderTables(doc, { color: wantsColor(process.stdout) }),
      );
      if (unwritten) {
        process.stderr.write(`switchyard: ${unwritten.message}\n`);
        process.exitCode = 1;
      }
      const nothingRan = whyNothingRan(doc);
      if (nothingRan) {
        process.stderr.write(`switchyard: ${nothingRan}\n`);
        process.exitCode = 1;
      }
      const wrong = doc.jobs.flatMap((j) =>
        j.results.filter((r) => r.wallMs !== null && !r.verified).map((r) => `${j.job}/${r.mode}`),
      );
      if (wrong.length > 0) {
        process.stderr.write(
          `switchyard: wrong results from ${wrong.join(', ')}; that is a bug, please report it\n`,
        );
        process.exitCode = 1;
      }
    });
}

/**
 * Every mode asked for lacks a setting it needs (only `distributed` can, without
 * --connection): a usage error rather than a bench with nothing to compare. One such mode
 * among others is listed in the results with the reason.
 */
function checkModes(settings: BenchSettings, command: Command): void {
  const needs = settings.modes.map((mode) => {
    const why = missingSetting(mode, settings);
    return why && `--modes ${mode} ${why.replace(/^not available: /, '')}`;
  });
  if (needs.every((need) => need !== undefined)) {
    command.error(`error: ${needs.join('; ')}; add it, or choose other modes`);
  }
}

/** Why no mode ran some job (every one was unavailable or failed), or `undefined` when each job has figures. */
function whyNothingRan(doc: BenchDocument): string | undefined {
  const idle = doc.jobs.filter(
    (job) => !job.results.some((r) => !isPython(r.mode) && r.wallMs !== null),
  );
  if (idle.length === 0) return undefined;
  const reasons = idle.flatMap((job) =>
    job.results
      .filter((r) => !isPython(r.mode))
      .map((r) => `${job.job} ${r.mode}: ${r.reason ?? 'no figures'}`),
  );
  return `no mode could run the ${idle.map((job) => job.job).join(' and ')} job (${reasons.join('; ')}); fix that, or choose other --modes`;
}

/** Throws, naming --report, when `path` cannot be written: its folder is missing or not writable, or it is a folder. */
function checkWritable(path: string): void {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats?.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    accessSync(stats ? path : dirname(path), constants.W_OK);
  } catch (error) {
    throw new RunFileError('--report', path, error);
  }
}

function settingsFrom(flags: BenchFlags): BenchSettings {
  const given: Partial<BenchSettings> = {
    jobs: flags.jobs,
    modes: flags.modes,
    compare: flags.compare,
    sites: flags.sites,
    latencyMs: flags.latency,
    concurrency: flags.concurrency,
    workers: flags.workers,
    repeat: flags.repeat === undefined ? undefined : { kind: 'fixed', runs: flags.repeat },
    scale: flags.scale,
    connection: flags.connection,
  };
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return benchSettings({ ...(flags.quick ? QUICK : {}), ...defined });
}

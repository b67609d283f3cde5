/**
 * `switchyard bench`: the classic concurrency experiment on this machine — an I/O-bound and a
 * CPU-bound job under every mode — as a table with verdicts, `--json`, or an HTML report.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { MAX_SCALE } from '../../bench/experiments.js';
import { runBench } from '../../bench/lab.js';
import { benchProgress } from '../../bench/progress.js';
import { renderReport } from '../../bench/report.js';
import { type BenchSettings, benchSettings, QUICK } from '../../bench/settings.js';
import { renderTables, wantsColor } from '../../bench/table.js';
import { JOBS, type JobName } from '../../bench/types.js';
import { MODES, type Mode } from '../../core/types.js';
import { integerAtLeast, listOf, positiveAtMost } from '../options.js';

interface BenchFlags {
  jobs?: JobName[];
  modes?: Mode[];
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
      'the classic concurrency experiment on this machine: download many sites (I/O-bound) and sum squares (CPU-bound) under every mode, then say which model won and why',
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
      'pool size for threads and processes (default: usable CPUs)',
      integerAtLeast(1),
    )
    .option(
      '--repeat <k>',
      'timed runs per mode; the median is reported (default: 3)',
      integerAtLeast(1),
    )
    .option(
      '--scale <k>',
      `multiplies every n of the CPU job (at most ${MAX_SCALE}), to see steady-state speedup (default: 1)`,
      positiveAtMost(MAX_SCALE),
    )
    .option(
      '--quick',
      `small sizes, a few seconds, too small to trust (${QUICK.sites} sites at ${QUICK.latencyMs} ms, scale ${QUICK.scale}, repeat ${QUICK.repeat})`,
    )
    .option('--json', 'print the results as one JSON document on stdout')
    .option('--report <file.html>', 'also write a self-contained HTML report with charts')
    .option('--connection <url>', 'Redis URL (redis://host:port): adds the distributed mode')
    .addHelpText(
      'after',
      `
Wall time is measured with the executor already started (its start-up is shown apart);
CPU time counts this process and its child processes. The physical limit is
ceil(sites / concurrency) × latency for I/O and sync time / cores for CPU.
A mode that is not available here is listed with the reason.

Examples:
  switchyard bench                        both jobs, every local mode (about a minute)
  switchyard bench --quick --json         a few seconds, machine-readable
  switchyard bench --jobs cpu --scale 10  the CPU job, big enough for steady state
  switchyard bench --report bench.html    charts in one self-contained page`,
    )
    .action(async (flags: BenchFlags) => {
      const settings = settingsFrom(flags);
      const progress = benchProgress(settings, process.stderr);
      let doc: Awaited<ReturnType<typeof runBench>>;
      try {
        doc = await runBench(settings, progress.update);
      } finally {
        progress.stop();
      }
      if (flags.report) {
        await writeFile(flags.report, renderReport(doc));
        process.stderr.write(`report written to ${flags.report}\n`);
      }
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(doc, null, 2)}\n`
          : renderTables(doc, { color: wantsColor(process.stdout) }),
      );
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

function settingsFrom(flags: BenchFlags): BenchSettings {
  const given: Partial<BenchSettings> = {
    jobs: flags.jobs,
    modes: flags.modes,
    sites: flags.sites,
    latencyMs: flags.latency,
    concurrency: flags.concurrency,
    workers: flags.workers,
    repeat: flags.repeat,
    scale: flags.scale,
    connection: flags.connection,
  };
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return benchSettings({ ...(flags.quick ? QUICK : {}), ...defined });
}

/**
 * `switchyard demo …`: small experiments that show one idea of concurrency on this machine.
 * `demo race`: lost updates on shared memory across threads, and the `Atomics` fix.
 */
import type { Command } from 'commander';
import { MAX_RACE_TOTAL, type RaceResult, runRace } from '../../bench/race.js';
import { integerAtLeast } from '../options.js';

interface RaceFlags {
  threads: number;
  increments: number;
  json?: boolean;
}

export function registerDemo(program: Command): void {
  const demo = program
    .command('demo')
    .description('small experiments that show one idea of concurrency on this machine');
  demo
    .command('race')
    .description(
      'K threads add 1 to one shared counter M times each: with a plain x = x + 1 updates get lost, with Atomics.add none do',
    )
    .option('--threads <k>', 'threads racing on the counter', integerAtLeast(2), 4)
    .option('--increments <m>', 'increments per thread', integerAtLeast(1), 1_000_000)
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      `\nThe threads run on switchyard's threads executor and share the counter through a\nSharedArrayBuffer; threads × increments must be at most ${MAX_RACE_TOTAL}.`,
    )
    .action(async (flags: RaceFlags) => {
      if (flags.threads * flags.increments > MAX_RACE_TOTAL) {
        throw new RangeError(
          `--threads × --increments must be at most ${MAX_RACE_TOTAL} (the counter is an Int32), got ${flags.threads * flags.increments}`,
        );
      }
      const result = await runRace({ threads: flags.threads, increments: flags.increments });
      process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : describeRace(result));
    });
}

function describeRace(r: RaceResult): string {
  const n = (x: number) => x.toLocaleString('en');
  const rows: [string, string, string, string][] = [
    ['', 'expected', 'actual', 'lost updates'],
    [
      'plain x = x + 1',
      n(r.expected),
      n(r.plain.actual),
      `${n(r.plain.lost)} (${((100 * r.plain.lost) / r.expected).toFixed(1)}%)`,
    ],
    ['Atomics.add', n(r.expected), n(r.atomic.actual), n(r.atomic.lost)],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const table = rows
    .map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))))
    .map((cells) => cells.join('  ').trimEnd())
    .join('\n');
  const why =
    r.plain.lost > 0
      ? 'x = x + 1 is three steps — read, add, write. Two threads that read the same value both write value + 1, and one increment is gone. Atomics.add does the three steps as one, so no thread can come between them.'
      : 'No update was lost this time: the threads happened not to interleave between read and write (try more --increments). The hazard is still there; Atomics.add rules it out.';
  return `${n(r.threads)} threads each add 1 to one shared counter ${n(r.increments)} times.\n\n${table}\n\n${why}\n`;
}

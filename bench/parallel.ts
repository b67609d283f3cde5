/**
 * `npm run bench:parallel` — the `threads` and `processes` executors side by side with a
 * hand-rolled `worker_threads` pool, piscina, tinypool, workerpool and poolifier, in one
 * run, on the rows of the pool issue's table:
 *
 * - the classic CPU job (`sum(i*i for i < n)`, n = 5,000,000 + x, x in 0..19, exact results
 *   checked against the closed form), 2 workers, warm pool: speedup over `sync`;
 * - 100,000 tiny tasks via `submit` (tasks/s); 200,000 tiny tasks via `map`, chunked (tasks/s);
 * - cold start: import + create pool + first result (ms);
 * - idle memory of a 2-thread pool over a bare process (MiB).
 *
 * Every figure is measured in a fresh `node` process running the built package (`dist/`),
 * with no loader, and is the median of `ROUNDS` runs (default 3); contenders alternate
 * within each round so that machine noise hits them alike.
 *
 * Run it alone: `flock /tmp/switchyard-bench.lock npm run bench:parallel`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PROBE = fileURLToPath(new URL('./peers/probe.mjs', import.meta.url));
const POOLS = [
  'threads',
  'processes',
  'hand-rolled',
  'piscina',
  'tinypool',
  'workerpool',
  'poolifier',
];
const PEERS = ['hand-rolled', 'piscina', 'tinypool', 'workerpool', 'poolifier'];
const MIB = 1024 * 1024;

interface Row {
  readonly title: string;
  readonly measure: string;
  readonly contenders: readonly string[];
  /** Turns the medians into the figure shown, per contender. */
  readonly figure: (median: (name: string) => number) => (name: string) => number;
  readonly unit: string;
  readonly higherIsBetter: boolean;
}

const rows: Row[] = [
  {
    title: 'classic CPU job, 2 workers, speedup over sync (warm pool, exact)',
    measure: 'cpu',
    contenders: ['sync', ...POOLS],
    figure: (median) => (name) => median('sync') / median(name),
    unit: '×',
    higherIsBetter: true,
  },
  {
    title: '100,000 tiny tasks via submit, tasks/s',
    measure: 'submit',
    contenders: POOLS,
    figure: (median) => median,
    unit: '/s',
    higherIsBetter: true,
  },
  {
    title: '200,000 tiny tasks via map (chunked), tasks/s',
    measure: 'map',
    contenders: ['threads', 'processes'],
    figure: (median) => median,
    unit: '/s',
    higherIsBetter: true,
  },
  {
    title: 'cold start: import + create pool + first result, ms',
    measure: 'cold',
    contenders: POOLS,
    figure: (median) => median,
    unit: 'ms',
    higherIsBetter: false,
  },
  {
    title: 'idle memory of a 2-thread pool over a bare process, MiB',
    measure: 'memory',
    contenders: [
      'bare',
      'threads',
      'hand-rolled',
      'piscina',
      'tinypool',
      'workerpool',
      'poolifier',
    ],
    figure: (median) => (name) => (median(name) - median('bare')) / MIB,
    unit: 'MiB',
    higherIsBetter: false,
  },
];

/** Runs one probe; its figure counts even if the pool then fails to shut down (poolifier may hang in destroy). */
function probe(measure: string, name: string): number {
  const { stdout, stderr } = spawnSync(process.execPath, [PROBE, measure, name], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  const line = stdout.trim().split('\n').at(-1);
  if (!line?.startsWith('{')) throw new Error(`${name} ${measure} failed: ${stderr}`);
  return (JSON.parse(line) as { value: number }).value;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function show(value: number, unit: string): string {
  if (unit === '×') return `${value.toFixed(2)}×`;
  if (unit === '/s') return Math.round(value).toLocaleString('en-US');
  return value.toFixed(unit === 'MiB' ? 1 : 0);
}

const header = ['job', 'threads', 'processes', ...PEERS, 'threads vs best peer'];
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const row of rows) {
  const samples = new Map<string, number[]>(row.contenders.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 ? [...row.contenders].reverse() : row.contenders)
      samples.get(name)!.push(probe(row.measure, name));
  }
  const figure = row.figure((name) => median(samples.get(name)!));
  const cells = ['threads', 'processes', ...PEERS].map((name) =>
    row.contenders.includes(name) ? show(figure(name), row.unit) : '–',
  );
  const peers = PEERS.filter((name) => row.contenders.includes(name)).map(figure);
  const best =
    peers.length === 0 ? undefined : row.higherIsBetter ? Math.max(...peers) : Math.min(...peers);
  const ratio = best === undefined ? '–' : `${(figure('threads') / best).toFixed(2)}×`;
  console.log(`| ${row.title} | ${cells.join(' | ')} | ${ratio} |`);
}

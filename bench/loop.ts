/**
 * `npm run bench:loop` — the `loop` executor measured side by side with what users would
 * pick instead, in one run, printing medians and ratios:
 *
 * (a) dispatch overhead: 100,000 no-op async tasks through `loop.map`, `p-map` and
 *     `p-limit`, all at the same concurrency; throughput and ratio to p-map.
 * (b) the classic download job against the embedded sites server at 100 ms latency,
 *     160 requests at concurrency 160 and 2,000 at concurrency 200: wall time over the
 *     latency bound `ceil(N / concurrency) × latency`.
 *
 * The HTTP client is undici's `Pool.request`, one pool of `concurrency` keep-alive
 * connections, warmed by one unmeasured round: on this kind of machine it moves several
 * times more requests per second than Node 20's built-in `fetch`, so the executor rather
 * than the client is what is measured. The sites server runs in its own process, as a
 * real server would, so its timers and responses do not share the client's event loop.
 *
 * It measures the package as users run it — compiled to `dist/` (the npm script builds
 * first) — not through tsx, whose transform adds a call to every closure it creates.
 *
 * Run it alone: `flock /tmp/switchyard-bench.lock npm run bench:loop`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import pLimit from 'p-limit';
import pMap from 'p-map';
import { Pool } from 'undici';
import { printTable } from './markdown-table.js';

const dist = (path: string) => new URL(`../dist/${path}`, import.meta.url).href;
const { createExecutor } = (await import(dist('index.js'))) as typeof import('../src/index.js');

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const NOOP_TASKS = 100_000;
const NOOP_CONCURRENCY = 64;
const LATENCY_MS = 100;
const DOWNLOADS = [
  { requests: 160, concurrency: 160 },
  { requests: 2_000, concurrency: 200 },
] as const;

type Runner = (
  inputs: number[],
  work: (i: number) => Promise<number>,
  concurrency: number,
) => Promise<unknown>;

/** The contenders: each runs `work` over `inputs` at `concurrency` and waits for every output. */
const contenders: Record<string, Runner> = {
  'loop.map': async (inputs, work, concurrency) => {
    await using ex = createExecutor({ mode: 'loop', concurrency });
    const outputs: number[] = [];
    for await (const output of ex.map(work, inputs)) outputs.push(output);
    return outputs;
  },
  'p-map': (inputs, work, concurrency) => pMap(inputs, work, { concurrency }),
  'p-limit': (inputs, work, concurrency) => {
    const limit = pLimit(concurrency);
    return Promise.all(inputs.map((i) => limit(() => work(i))));
  },
};

interface Timing {
  /** Median wall-clock ms. */
  readonly wall: number;
  /** Median CPU ms of this process (user + system): steadier than wall time on a shared machine. */
  readonly cpu: number;
}

/** Runs every contender `ROUNDS` times, in a rotating order so drift on a shared machine hits all alike. */
async function medians(
  inputs: number[],
  work: (i: number) => Promise<number>,
  concurrency: number,
  runners: Record<string, Runner> = contenders,
): Promise<Record<string, Timing>> {
  const names = Object.keys(runners);
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await runners[name]!(inputs, work, concurrency);
      const elapsed = performance.now() - started;
      const used = process.cpuUsage(cpuBefore);
      wall[name] = [...(wall[name] ?? []), elapsed];
      cpu[name] = [...(cpu[name] ?? []), (used.user + used.system) / 1000];
    }
  }
  return Object.fromEntries(
    names.map((name) => [name, { wall: median(wall[name]!), cpu: median(cpu[name]!) }]),
  );
}

async function dispatchOverhead(): Promise<void> {
  const inputs = Array.from({ length: NOOP_TASKS }, (_, i) => i);
  const noop = async (i: number) => i;
  await medians(inputs.slice(0, 10_000), noop, NOOP_CONCURRENCY); // warm the JIT
  const ms = await medians(inputs, noop, NOOP_CONCURRENCY);
  const pMapTime = ms['p-map']!;
  console.log(
    `\n(a) ${NOOP_TASKS.toLocaleString('en')} no-op async tasks, concurrency ${NOOP_CONCURRENCY}, median of ${ROUNDS}`,
  );
  printTable(
    ['runner', 'wall ms', 'tasks/s', 'vs p-map', 'CPU ms', 'vs p-map (CPU)'],
    Object.entries(ms).map(([name, t]) => [
      name,
      t.wall.toFixed(0),
      Math.round((NOOP_TASKS / t.wall) * 1000).toLocaleString('en'),
      `${(pMapTime.wall / t.wall).toFixed(2)}×`,
      t.cpu.toFixed(0),
      `${(pMapTime.cpu / t.cpu).toFixed(2)}×`,
    ]),
  );
  console.log('target: loop.map ≥ 1.00× p-map throughput');
}

async function downloads(): Promise<void> {
  const server = await startServerProcess({ latencyMs: LATENCY_MS });
  console.log(
    `\n(b) download job: sites server (own process) at ${LATENCY_MS} ms latency, ${server.bodyBytes} B pages, undici Pool.request, median of ${ROUNDS}`,
  );
  const rows: string[][] = [];
  for (const { requests, concurrency } of DOWNLOADS) {
    const pool = new Pool(server.url, { connections: concurrency });
    const download = async (i: number): Promise<number> => {
      const { statusCode, body } = await pool.request({
        method: 'GET',
        path: `/site/${i % server.sites}`,
      });
      const bytes = (await body.arrayBuffer()).byteLength;
      if (statusCode !== 200 || bytes !== server.bodyBytes)
        throw new Error(`site ${i}: status ${statusCode}, ${bytes} bytes`);
      return bytes;
    };
    const inputs = Array.from({ length: requests }, (_, i) => i);
    await pMap(inputs.slice(0, concurrency), download, { concurrency }); // open the connections
    // When every request may be in flight at once, Promise.all with no executor at all is
    // the floor that this client and server reach on this machine.
    const runners =
      requests === concurrency
        ? { ...contenders, 'no executor': (all: number[]) => Promise.all(all.map(download)) }
        : contenders;
    const ms = await medians(inputs, download, concurrency, runners);
    await pool.close();
    const bound = Math.ceil(requests / concurrency) * LATENCY_MS;
    for (const [name, t] of Object.entries(ms)) {
      rows.push([
        name,
        `${requests.toLocaleString('en')} @ ${concurrency}`,
        t.wall.toFixed(0),
        String(bound),
        `${(t.wall / bound).toFixed(2)}×`,
      ]);
    }
  }
  await server.close();
  printTable(['runner', 'requests @ concurrency', 'ms', 'bound ms', 'vs bound'], rows);
  console.log('target: loop.map ≤ 1.10× the bound for both');
}

/** Starts the sites server in a child process; it stops when its stdin closes. */
async function startServerProcess(options: { latencyMs: number }) {
  const code = `
    const { startSitesServer } = await import(${JSON.stringify(dist('index.js'))});
    const server = await startSitesServer(${JSON.stringify(options)});
    console.log(JSON.stringify({ url: server.url, sites: server.sites, bodyBytes: server.body(0).length }));
    process.stdin.on('end', () => server.close().then(() => process.exit(0))).resume();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const info = JSON.parse(line) as { url: string; sites: number; bodyBytes: number };
  return {
    ...info,
    close: async () => {
      child.stdin.end();
      await once(child, 'exit');
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

console.log(`bench:loop — Node ${process.version}, ${ROUNDS} rounds per contender`);
await dispatchOverhead();
await downloads();

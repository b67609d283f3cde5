/**
 * `npm run bench:queue` — what a producer that submits 1,000,000 tiny tasks to a `threads`
 * pool costs in memory, two ways side by side:
 *
 * - with `maxQueue`: `await ex.ready()` before each `submit`, so the producer waits while
 *   `maxQueue` tasks wait — memory should stay flat however many are submitted;
 * - without it: `ready()` resolves at once, so every task is kept until it runs — memory
 *   grows with the number submitted.
 *
 * RSS and heap are sampled every 100,000 submits. Each side runs in a fresh process on the
 * built package (`dist/`).
 *
 * Run it alone: `flock /tmp/switchyard-bench.lock npm run bench:queue`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SUBMITS = Number(process.env.SUBMITS ?? 1_000_000);
const MAX_QUEUE = 1_000;
const SAMPLE_EVERY = SUBMITS / 10;
const MIB = 1024 * 1024;

interface Sample {
  readonly submitted: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
}

interface Side {
  readonly samples: readonly Sample[];
  readonly wallMs: number;
  readonly settled: number;
  readonly refused: number;
}

/** One side, in this process: submits through `ready()`, sampling memory as it goes. */
async function measure(maxQueue: number | undefined): Promise<Side> {
  const dist = new URL('../dist/index.js', import.meta.url).href;
  const { createExecutor, task } = (await import(dist)) as typeof import('../src/index.js');
  const tiny = task<number, number>(new URL('./peers/jobs.mjs', import.meta.url), 'tiny');
  const ex = createExecutor({ mode: 'threads', workers: 2, ...(maxQueue ? { maxQueue } : {}) });
  // Loaded first: a submit whose task module is still loading is not yet the pool's to count.
  await ex.submit(tiny, 0);
  const samples: Sample[] = [];
  const sample = (submitted: number) => {
    const { rss, heapUsed } = process.memoryUsage();
    samples.push({ submitted, rssMiB: rss / MIB, heapMiB: heapUsed / MIB });
  };
  let settled = 0;
  let refused = 0;
  const started = performance.now();
  for (let i = 1; i <= SUBMITS; i++) {
    await ex.ready();
    ex.submit(tiny, i).then(
      () => settled++,
      () => refused++,
    );
    if (i % SAMPLE_EVERY === 0) sample(i);
  }
  await ex.close();
  return { samples, wallMs: performance.now() - started, settled, refused };
}

/** Runs one side in a fresh process and reads its figures. */
function inChild(maxQueue: number | undefined): Side {
  const script = fileURLToPath(import.meta.url);
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', script, 'side', String(maxQueue ?? 'none')],
    { encoding: 'utf8', maxBuffer: 16 * MIB },
  );
  if (child.status !== 0) throw new Error(`bench side failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Side;
}

const fixed = (n: number) => n.toFixed(1);

if (process.argv[2] === 'side') {
  const arg = process.argv[3];
  process.stdout.write(JSON.stringify(await measure(arg === 'none' ? undefined : Number(arg))));
} else {
  const bounded = inChild(MAX_QUEUE);
  const unbounded = inChild(undefined);
  console.log(
    `${SUBMITS.toLocaleString('en')} submits to a 2-thread pool through \`await ex.ready()\`\n`,
  );
  console.log(
    `| submitted | maxQueue ${MAX_QUEUE}: RSS MiB | heap MiB | no maxQueue: RSS MiB | heap MiB |`,
  );
  console.log('|---|---|---|---|---|');
  bounded.samples.forEach((b, i) => {
    const u = unbounded.samples[i]!;
    console.log(
      `| ${b.submitted.toLocaleString('en')} | ${fixed(b.rssMiB)} | ${fixed(b.heapMiB)} | ${fixed(u.rssMiB)} | ${fixed(u.heapMiB)} |`,
    );
  });
  for (const [name, side] of [
    [`maxQueue ${MAX_QUEUE}`, bounded],
    ['no maxQueue', unbounded],
  ] as const) {
    const perSecond = Math.round(SUBMITS / (side.wallMs / 1000));
    console.log(
      `\n${name}: ${side.settled.toLocaleString('en')} settled, ${side.refused} refused, ${Math.round(side.wallMs)} ms (${perSecond.toLocaleString('en')} tasks/s)`,
    );
  }
}

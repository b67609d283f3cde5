// One measurement in a fresh process: `node bench/peers/probe.mjs <measure> <contender>`.
// Prints one JSON line `{ value }`. Plain JavaScript, so a cold start includes no loader.
const started = performance.now();
const [measure, name] = process.argv.slice(2);
const WORKERS = 2;
const { open } = await import('./contenders.mjs');

const ms = (since) => performance.now() - since;
const print = (value) => console.log(JSON.stringify({ value }));
// Shutdown is not measured, and one peer may never finish it: give it a second, then leave.
const finish = (pool) =>
  Promise.race([pool.close(), new Promise((resolve) => setTimeout(resolve, 1_000))]).then(() =>
    process.exit(0),
  );

if (measure === 'cold') {
  const pool = await open(name, WORKERS);
  await pool.run({ job: 'tiny', arg: 1 });
  print(ms(started));
  await finish(pool);
} else if (measure === 'memory') {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));
  if (name === 'bare') {
    await settle();
    print(process.memoryUsage().rss);
  } else {
    const pool = await open(name, WORKERS);
    await Promise.all(Array.from({ length: 8 }, (_, arg) => pool.run({ job: 'tiny', arg })));
    await settle();
    print(process.memoryUsage().rss);
    await finish(pool);
  }
} else if (measure === 'cpu') {
  const { sumOfSquares, sumOfSquaresFormula } = await import('../../dist/bench/jobs/cpu.js');
  const ns = Array.from({ length: 20 }, (_, x) => 5_000_000 + x);
  let outputs;
  let since;
  let pool;
  if (name === 'sync') {
    since = performance.now();
    outputs = ns.map((n) => sumOfSquares(n));
  } else {
    pool = await open(name, WORKERS);
    await Promise.all([1, 2, 3, 4].map((arg) => pool.run({ job: 'cpu', arg: 100_000 + arg })));
    since = performance.now();
    outputs = await Promise.all(ns.map((arg) => pool.run({ job: 'cpu', arg })));
  }
  const elapsed = ms(since);
  ns.forEach((n, i) => {
    if (BigInt(outputs[i]) !== sumOfSquaresFormula(n))
      throw new Error(`${name}: wrong sum for ${n}`);
  });
  print(elapsed);
  if (pool) await finish(pool);
} else if (measure === 'submit' || measure === 'map') {
  const count = measure === 'submit' ? 100_000 : 200_000;
  const pool = await open(name, WORKERS);
  await Promise.all(Array.from({ length: 1_000 }, (_, arg) => pool.run({ job: 'tiny', arg })));
  const requests = Array.from({ length: count }, (_, arg) => ({ job: 'tiny', arg }));
  const since = performance.now();
  let sum = 0;
  if (measure === 'submit') {
    const outputs = await Promise.all(requests.map((request) => pool.run(request)));
    for (const output of outputs) sum += output;
  } else {
    for await (const output of pool.map(requests)) sum += output;
  }
  const elapsed = ms(since);
  if (sum !== (count * (count + 1)) / 2) throw new Error(`${name}: wrong results`);
  print((count / elapsed) * 1_000);
  await finish(pool);
} else {
  throw new Error(`unknown measure ${measure}`);
}

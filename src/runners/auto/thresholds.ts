/**
 * Every number `auto` decides with, in one place. Each says what it means and why it has
 * the value it has, so a disagreement with a decision can be settled by editing one line.
 */

/**
 * How many inputs the profiler runs one at a time in the calling thread. The first is a
 * warm-up (module load, JIT) and is left out of the statistics; the phase stops at `min`
 * when the timings agree (see {@link STEADY_VARIATION}) and goes on to `max` when they
 * do not. It stops after the first already when that cold run is I/O-bound: a cold run
 * only overstates CPU time, so the work waits at least that much, and more runs alone
 * would each cost a full wait (20 ms for a timer wait, 60–160 ms in all) to say so again.
 */
export const SEQUENTIAL_SAMPLE = { min: 3, max: 8 } as const;

/**
 * How many inputs the profiler then runs at once (still in the calling thread) to see how
 * much overlapping them helps: 8, then — only while overlapping keeps paying (see
 * {@link OVERLAP_SCALING}) — 32 and 128. Skipped for CPU-bound tasks, where the
 * sequential phase has already decided and overlapping on one thread cannot help.
 *
 * Why larger levels: each wake-up of the event loop (timers, microtasks) costs a fixed
 * slice of CPU that the tasks it wakes share, and a fresh process adds one-time costs
 * (growing its young heap: two 5–7 ms scavenges fell within one level of 32), so CPU per
 * task falls the more run at once. For a 20 ms timer wait in a fresh process `auto`
 * measured 70–240 µs per task at 8, 90–190 µs at 32, 40–70 µs at 128; Little's law
 * divides the latency by it, so stopping at 8 or 32 picked a loop concurrency of 100–200
 * where the thread keeps 500+ in flight. Each level costs I/O work one latency, and its
 * inputs are real ones (results kept), run as fast as the chosen loop would run them.
 */
export const OVERLAPPED_LEVELS: readonly number[] = [8, 32, 128];

/**
 * The overlapped sample goes on to its next level only while the last one ran its `k`
 * tasks at least this share of `k` times as fast as one at a time: tasks that overlap
 * well (waiting, not computing) show it at once — a 20 ms timer wait ×8 runs at 0.95–1 —
 * while tasks that compute half the time cannot pass 1/(k × ½) = 0.25 at 8 on one thread.
 */
export const OVERLAP_SCALING = 0.5;

/**
 * ms the sampler lets runs wait behind samples that have not finished. Sampling one at a
 * time must never change what a program can do: a task that waits for another (or for its
 * signal) would otherwise deadlock. After this long without a sample finishing, the
 * one-at-a-time phase ends (slow I/O shows itself this way) and a stuck overlapped phase
 * ends the sample.
 */
export const SAMPLE_PATIENCE_MS = 100;

/**
 * Tasks shorter than this (ms, median so far) are sampled one at a time up to
 * {@link SHORT_TASK_SAMPLE} times: they cost next to nothing, and their first runs are slowed
 * by JIT warm-up, which only more runs average away.
 */
export const SHORT_TASK_MS = 1;
export const SHORT_TASK_SAMPLE = 32;

/** Coefficient of variation of the sequential timings below which `min` samples suffice. */
export const STEADY_VARIATION = 0.5;

/**
 * Below this wall time (ms, the fastest sampled run) a task is *tiny*: handing it to another thread costs a
 * message each way (tens of µs), so dispatch would dominate the work.
 */
export const TINY_TASK_MS = 0.2;

/**
 * ms of the calling thread's time it costs to send one input to a worker thread and take
 * its result back when `map` sends inputs in chunks (structured clone and bookkeeping, a
 * message per chunk): `npm run bench:parallel` measured 220,000–350,000 inputs/s for
 * chunked `threads` over 2 workers, about 3–4.5 µs each. What decides whether tiny tasks
 * are worth sending to threads at all.
 */
export const CHUNK_DISPATCH_MS = 0.004;

/**
 * Tiny tasks go to chunked `threads` only when that is predicted to run them at least this
 * many times as fast as the calling thread alone. The prediction (see `classify.ts`) leaves
 * out what cannot be known when the sample is in — starting the workers (tens of ms) and
 * warming their JIT, which a short job never repays — and a loaded machine makes sampled
 * calls look slower than they are (a 4 µs task was sampled at 38 µs during the full test
 * suite), so it must promise a clear gain. On 2 CPUs (at best 2×) that means tasks of
 * about 50 µs or more.
 */
export const CHUNKED_THREADS_GAIN = 1.85;

/**
 * ms of work in each chunk of tiny tasks `auto` keeps on the calling thread: it starts a
 * chunk's inputs back to back with one promise for all of them (a promise, a permit and
 * an abort listener each cost about as much as a 10 µs task: after the sample, a fresh
 * process ran 20,000 of `bench:auto`'s tiny tasks at ~16 µs each one by one, ~7 µs in
 * chunks). 1 ms makes that per-chunk cost negligible, and keeps results flowing to the
 * consumer (a progress bar, a `break`) at least every millisecond or so.
 */
export const THREAD_CHUNK_MS = 1;

/** At or above this share of wall time spent on CPU, a task is *CPU-bound*. */
export const CPU_BOUND_SHARE = 0.75;

/** At or below this share of wall time spent on CPU, a task is *I/O-bound*; between the two it is *mixed*. */
export const IO_BOUND_SHARE = 0.25;

/**
 * Bounds on `loop`'s concurrency from Little's law (tasks in flight = throughput × latency).
 * The cap keeps a task that barely uses CPU from opening thousands of sockets at once.
 */
export const LOOP_CONCURRENCY_RANGE = { min: 4, max: 512 } as const;

/** Upper bound on `tasksPerWorker` for mixed work. */
export const MAX_TASKS_PER_WORKER = 64;

/**
 * Inputs a `map` through `auto` may hold: its window is sized before `auto` has decided,
 * so it must fit what the chosen mode will keep in flight (a `loop` of up to
 * {@link LOOP_CONCURRENCY_RANGE}.max, tiny tasks in chunks).
 */
export const PROFILING_READ_AHEAD = 1024;

/**
 * Every number `auto`'s controller works with, in one place. Each says what it means and
 * why it has its value, so that a disagreement with a move can be settled by editing one line.
 */
import { DEFAULTS } from '../../core/defaults.js';

/**
 * Tasks in flight on the calling thread before anything is measured: `loop`'s default,
 * so that `auto` starts no worse than `loop` would, and is already overlapping waits
 * while its first measurement comes in.
 */
export const START_LIMIT = DEFAULTS.loopConcurrency;

/**
 * Most tasks `auto` keeps in flight on the calling thread. Above this, a thread spends
 * more on bookkeeping (timers, promises, sockets) than waiting work gains, and a bounded
 * resource would only queue more.
 */
export const MAX_LIMIT = 1024;

/**
 * Most tasks one worker thread runs at once (mixed work overlaps its waits there): the
 * calling thread's bound, since a worker's event loop keeps tasks in flight the same way.
 * Fewer held back work that computes a little between long waits — 1 ms of CPU per reply
 * of 100 ms needs about 100 per worker to keep the worker busy, and at 64 each the workers
 * could not beat the calling thread.
 */
export const MAX_TASKS_PER_WORKER = MAX_LIMIT;

/**
 * Inputs a `map` through `auto` reads ahead on the calling thread: room for
 * {@link MAX_LIMIT} in flight and as many done, waiting for the consumer. On worker
 * threads, room for as many as the workers hold at most (see `AutoRunner`).
 */
export const AUTO_MAP_WINDOW = 2 * MAX_LIMIT;

/**
 * A window of measurements closes once it has at least this many completions (runs: a
 * chunk of a `map` counts once, however many inputs it carries) and
 * lasted {@link MIN_WINDOW_MS}: fewer completions make the rate and the mean latency too
 * noisy to compare (with latencies varying 2:1, 32 completions put the mean within about
 * 10%), a shorter span puts timer granularity and scheduler ticks into the busy share.
 */
export const MIN_COMPLETIONS = 32;
export const MIN_WINDOW_MS = 15;

/**
 * Finished runs up to which a window reads the calling thread's busy counters after each
 * one, and from which it reads them at powers of two, so that its later half can be told
 * apart (see `window.ts`): half of {@link MIN_COMPLETIONS}, so that the shortest window of
 * many runs has a later half of its own, and a slow one of a few runs does too.
 */
export const HALF_READING_RUNS = MIN_COMPLETIONS / 2;

/**
 * A window that will be compared with another begins again, twice as long, when the
 * throughputs of its two halves differ by more than this share of their mean; at most
 * {@link MAX_WINDOW_RESTARTS} times (the last one 4 times the first's length). Halves that
 * far apart put the whole window's throughput within about ±15%, the gain a step up must
 * show ({@link CLIMB_SHARE}); closer, a window's noise stays below the 10% that count as
 * the same throughput ({@link SAME_THROUGHPUT}). Work that allocates heavily swings ±50%
 * from one 100 ms to the next as garbage collection pauses its threads; steady work never
 * begins again.
 */
export const UNSTEADY = 0.3;
export const MAX_WINDOW_RESTARTS = 2;

/**
 * While none of the tasks begun on the calling thread has finished, and the thread has sat
 * idle much of the time ({@link NONE_FINISHED_BUSY}), the number in flight doubles after this many ms, and
 * again each time the tasks' wait so far has doubled, up to {@link START_LIMIT} ×
 * {@link MAX_STEP}: the jump the first window would make on a thread that idle. Each task
 * has waited at least that long, and more of them cost the thread little: held to 64 until
 * the first finished, 200 waits of 1 s took twice as long as with all of them in flight.
 * Tasks that finish within it are not concerned. The first window then measures the level
 * reached, and a bounded resource steps it down. What it cannot see is CPU after the wait:
 * tasks that wait 50 ms and then compute 20 ms are all begun here before one shows it.
 * Hence a doubling, not the whole jump at once: that would end 300 replies of 100 ms in
 * 0.13 s rather than 0.18, but begin here all 300 tasks that wait 30 ms and then compute
 * 10 ms before the first one shows its CPU (3.2 s rather than 2.6; `docs/benchmarks.md`).
 * A window's shortest span: timers fire late by a millisecond or two.
 */
export const NONE_FINISHED_MS = 15;

/**
 * The calling thread's busy share since the first task began below which tasks none of
 * which has finished count as waiting (see {@link NONE_FINISHED_MS}). Waits read 15–30%
 * here, most of it the thread compiling its first calls and starting the tasks; reads of
 * 1 MB files through libuv's pool read 70%: busier than that, the thread is doing more
 * than wait, and the first window decides.
 */
export const NONE_FINISHED_BUSY = 0.5;

/**
 * A window closes after this long with at least {@link SLOW_COMPLETIONS} completions,
 * however few: slow tasks (tens of ms of CPU each) would otherwise keep the calling
 * thread busy for seconds before `auto` saw that it should move them.
 */
export const SLOW_WINDOW_MS = 100;
export const SLOW_COMPLETIONS = 2;

/**
 * The calling thread's busy share (CPU time ÷ (CPU time + time the event loop sat idle))
 * at or above which it is the bottleneck: more tasks in flight cannot finish faster there.
 * Time lost to other processes counts on neither side, so a loaded machine does not make
 * waiting work look busy.
 */
export const SATURATED = 0.85;

/**
 * The share of the calling thread's time neither idle nor waiting for a CPU that its
 * tasks must hold it (see `WindowSummary.heldShare`) for a saturated thread to be their
 * bottleneck. On work that computes or blocks in its calls it is near 1 — windows of
 * 15 ms read down to 0.5 on work that keeps libuv's pool busy, the kernel's CPU counters
 * moving in ticks. A thread held up mostly by something else would not be relieved by
 * worker threads, and more in flight there is judged by what it finishes: 20 ms sleeps,
 * in a process on a machine loaded with other work, read 100% busy while the tasks held
 * the thread 14% of the time. Tasks that only compute, in their call, are exempt: workers
 * take all of their time off the thread, whatever else holds it.
 */
export const HELD_BY_TASKS = 0.3;

/**
 * A saturated calling thread busier than this is left alone; below it, the idle rest may
 * be gaps between bursts of completions that more tasks in flight would fill, and a step
 * up is tried (kept if it wins {@link FILL_SHARE} of that rest).
 */
export const FULLY_BUSY = 0.95;
export const FILL_SHARE = 0.5;

/**
 * The busy share a climb aims the calling thread at: the headroom for more tasks in
 * flight is this ÷ the share measured. Below {@link SATURATED}, so that a jump lands
 * where the thread still keeps up. A step is never less than {@link MIN_STEP}: smaller
 * ones gain less than a window's noise.
 */
export const BUSY_TARGET = 0.7;

/**
 * The first jump multiplies the number in flight by up to this, as far as the calling
 * thread's headroom shows; later climbs double it ({@link MIN_STEP}).
 */
export const MAX_STEP = 8;
export const MIN_STEP = 2;

/**
 * A climb goes on while the throughput rises by at least this share of what the added
 * tasks would give if nothing queued: doubling the tasks in flight must bring ≥ 15% more
 * completions per second. Waiting work brings ~100%; work that queues behind a bounded
 * resource ~0%; mixed work on worker threads 10–25% a doubling as the workers fill up;
 * noise on a loaded two-core machine ±10%.
 */
export const CLIMB_SHARE = 0.15;

/**
 * The share of the machine's CPUs, kept busy by this process (the calling thread and the
 * process's other threads — libuv's pool compressing or hashing for the tasks), at or
 * above which a window on the calling thread counts as having filled the CPUs: more in
 * flight would then only queue for them. Counts this process only, so other programs on
 * a loaded machine do not trigger it.
 */
export const CPUS_FULL = 0.9;

/** Throughputs within this share of the best measured count as equal: fewer in flight is then better. */
export const SAME_THROUGHPUT = 0.1;

/**
 * At a level it holds, a throughput this far from the one it settled on, two windows in
 * a row, means the work changed (a new phase of a `map`): `auto` explores again.
 */
export const PHASE_CHANGE = 0.4;

/**
 * A window saw mostly its quickest tasks finish where the tasks it held in flight took, by
 * Little's law, more than this many times as long as those it saw finish (see `moves.ts`).
 * In a window that turned over they take about as long; first windows measured 3.3 times
 * for replies of 20–200 ms (closed on the first 32 of 64), 3.7 for timers of 5–80 ms, 4 for
 * gzip on libuv's pool and 2.1 for its file reads.
 */
export const SAW_QUICKEST = 2;

/** Windows held at a level before trying one step up, to follow slow changes; doubled after each failed try, up to {@link MAX_HOLD_WINDOWS}. */
export const HOLD_WINDOWS = 8;
export const MAX_HOLD_WINDOWS = 128;

/**
 * Predicted gain from worker threads (over the calling thread alone) above which a
 * saturated calling thread hands its tasks to them. A try that does not pay costs the
 * workers' start (tens of ms idle, a second on a busy machine), their JIT warming up and
 * the way back; and a loaded machine makes the calling thread's CPU per task look larger
 * than it is. On 2 CPUs (at best 2×) this means tasks of about 50 µs or more in a `map`,
 * on a machine with CPU to spare.
 */
export const THREADS_GAIN_TO_MOVE = 1.75;

/**
 * Share of the calling thread's CPU spent inside the tasks' synchronous calls at or above
 * which they compute before they await (or never await): on worker threads they then
 * start at one task per worker, which such a task keeps busy alone.
 */
export const COMPUTES_IN_CALL = 0.8;

/**
 * CPU per task this many times lower than in the stretch of saturated windows before
 * shows a thread still warming up (its JIT compiling the task and the libraries it calls,
 * which can take a few hundred ms for an HTTP client): what came before does not count as
 * evidence for moving the work.
 */
export const WARMING_UP = 1.3;

/**
 * A saturated window's CPU per task this many times the run's before it shows that the
 * work changed (a `map` whose first inputs wait and whose later ones compute): what came
 * before is other work, and neither evidence for a move nor a throughput for the workers
 * to beat. Above what a thread's CPU clock, read in scheduler ticks, puts on a short window.
 */
export const WORK_CHANGED = 2;

/**
 * ms of the calling thread's CPU a stretch of saturated windows gathers before its CPU per
 * task is compared with the stretch before (see {@link WARMING_UP}). The thread's CPU
 * clock advances in scheduler ticks (4 ms on common Linux kernels) while it computes
 * without sleeping, so a single 15 ms window's reading can be off by a quarter, which
 * looked like warming up again and again; over 40 ms it is within a tenth.
 */
export const WARMING_STRETCH_CPU_MS = 40;

/**
 * ms a run of saturated windows must span before it moves the work to worker threads
 * (see `Saturation.convincing`): past the JIT warm-up most tasks show in their first tens
 * of ms, yet shorter than a worker thread takes to start and load a task module (a few
 * hundred ms), which begins at the run's first window.
 */
export const SATURATED_FOR_MS = 100;

/**
 * A contention (share of its runnable time the calling thread waits for a CPU) worth
 * naming in a reason; as much more in a step up's window than in the one before, and the
 * step is measured again before it is judged (see `Exploration.heldOffCpu`).
 */
export const CONTENDED = 0.2;

/**
 * A task whose fastest run took at most this many times its CPU time does little besides
 * computing: on worker threads it starts at one per worker (and stays there).
 */
export const WAITS_LITTLE = 1.5;

/** Measured gain the worker threads must show over the calling thread alone to keep the work. */
export const THREADS_GAIN_TO_STAY = 1.1;

/**
 * ms of the calling thread's time to send one input to a worker thread and take its
 * result back in a chunk of many (structured clone and bookkeeping, the message's own
 * cost shared by all): `npm run bench:parallel` measured 220,000–770,000 inputs/s for
 * chunked `threads` over 2 workers, about 1.3–4.5 µs each.
 */
export const CHUNK_DISPATCH_MS = 0.004;

/**
 * ms of the calling thread's time to send one task to a worker thread on its own (a
 * `submit`, a `map` with a timeout, or a `map` chunk of one): a message each way and a
 * promise. A chunk of n inputs costs each of them {@link CHUNK_DISPATCH_MS} and an n-th
 * of the rest.
 */
export const TASK_DISPATCH_MS = 0.03;

/**
 * Under a timeout, ms every task must take (start to finish) before `auto` lets tasks
 * share a worker thread: so long that they mostly wait, not a message round trip
 * (~0.1 ms) or computing. A task that computes forever blocks every other task on its
 * worker, which would then time out with it.
 */
export const SHARED_WORKER_MIN_MS = 5;

/**
 * Under a timeout, the workers' busy share below which, while each holds a task, the tasks
 * clearly wait (three quarters of their time or more), so they may share a worker whatever
 * the fastest took: a task that computes keeps its worker busy.
 */
export const WAITING_WORKERS_BUSY = 0.25;

/**
 * In worker threads, tasks per worker at or above which the tasks mostly wait: the
 * calling thread's event loop may keep them in flight more cheaply, so `auto` tries it.
 */
export const WAITING_TASKS_PER_WORKER = 16;

/**
 * ms of CPU per input below which tasks kept on the calling thread are started in
 * chunks (a `map` without a timeout): their own promise, permit and abort listener would
 * cost about as much as the task.
 */
export const TINY_TASK_MS = 0.1;

/**
 * ms of work in each chunk of tiny tasks on the calling thread: the per-chunk cost becomes
 * negligible, and results still reach the consumer (a progress bar, a `break`) every
 * millisecond or so.
 */
export const IN_THREAD_CHUNK_MS = 1;

/**
 * ms the calling thread spends starting and running tasks in one turn of its event loop
 * before it lets timers, I/O and completions in: without it, a `map` of CPU-heavy tasks
 * would start a whole window of them back to back (64 × 50 ms = 3 s) before `auto` could
 * measure one.
 */
export const TURN_BUDGET_MS = 10;

/**
 * A task whose fastest run took this many times its CPU time on the calling thread
 * mostly waits: `decision.workload` calls such work I/O-bound.
 */
export const WAITS_DOMINATE = 10;

/** Moves kept in `decision.history`. */
export const HISTORY_LENGTH = 16;

/**
 * A deterministic simulation of work that `auto`'s controller is asked to run: simulated
 * time, a calling thread that computes one burst at a time, worker threads that do the
 * same each, waits that overlap freely or queue for a resource of limited capacity (like
 * libuv's 4 threads or a connection pool). The real {@link Controller} is told of every
 * start and finish and given the simulated clock and busy counters, and its level is
 * obeyed as a runner would obey it. Nothing here reads a real clock.
 */
import { Controller } from '../../../src/runners/auto/controller.js';
import type { Level, Route } from '../../../src/runners/auto/moves.js';
import {
  CHUNK_DISPATCH_MS,
  MAX_LIMIT,
  MAX_TASKS_PER_WORKER,
  START_LIMIT,
  TURN_BUDGET_MS,
} from '../../../src/runners/auto/settings.js';

/** One task: CPU on the thread that runs it, a wait, CPU again. */
export interface Work {
  readonly cpuMs: number;
  readonly waitMs: number;
  /** The wait needs one of the world's `capacity` slots, queueing for it otherwise. */
  readonly bounded?: boolean;
  /** CPU after the wait. */
  readonly thenCpuMs?: number;
}

export interface World {
  readonly inputs: number;
  readonly work: (index: number) => Work;
  /** Slots of the bounded resource. @default unlimited */
  readonly capacity?: number;
  /** @default 2 */
  readonly workers?: number;
  /** CPU the calling thread spends per task it runs itself, besides the task's own. @default 0.002 */
  readonly loopOverheadMs?: number;
  /** CPU the calling thread spends per task it sends to a worker. @default CHUNK_DISPATCH_MS */
  readonly dispatchMs?: number;
  /** ms before worker threads can take tasks after the controller asks for them. @default 50 */
  readonly threadsStartMs?: number;
  /** Why threads cannot run the task, if they cannot. */
  readonly threadsUnavailable?: string;
  /** The ms of dispatch the controller is told to expect, when not the true one. @default dispatchMs */
  readonly claimedDispatchMs?: number;
  /** Pin to threads (a timeout) before the first task. */
  readonly pinned?: boolean;
  /** A share of jitter added to every wait and burst, from a seeded generator (0.2: ±20%). */
  readonly noise?: number;
}

export interface Outcome {
  readonly controller: Controller;
  readonly endMs: number;
  /** Every level the controller set, in order, with the simulated time it was set. */
  readonly levels: readonly (Level & { readonly atMs: number; readonly index: number })[];
  /** Inputs that ran on each route. */
  readonly ran: Readonly<Record<Route, number>>;
}

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/** Runs every input of `world` under the controller; resolves once all have finished. */
export function simulate(world: World): Outcome {
  const workers = world.workers ?? 2;
  const loopOverhead = world.loopOverheadMs ?? 0.002;
  const dispatch = world.dispatchMs ?? CHUNK_DISPATCH_MS;
  const random = seeded(12_345);
  const jitter = (ms: number) => (world.noise ? ms * (1 + world.noise * (2 * random() - 1)) : ms);

  let now = 0;
  let seq = 0;
  const events: Event[] = [];
  const at = (when: number, run: () => void) => push(events, { at: when, seq: seq++, run });

  // The calling thread: one burst at a time. Its committed CPU ends at `callingFreeAt`;
  // what has elapsed of it by now is busy, the rest of the time idle.
  let callingFreeAt = 0;
  let cpuMs = 0;
  const compute = (ms: number, then: () => void) => {
    callingFreeAt = Math.max(now, callingFreeAt) + ms;
    cpuMs += ms;
    at(callingFreeAt, then);
  };
  // Worker threads: each computes one burst at a time, counted in the process's CPU time
  // as the calling thread's is.
  const workerFreeAt = new Array<number>(workers).fill(0);
  let workersCpuMs = 0;
  const instruments = {
    now: () => now,
    busy: () => {
      const busy = cpuMs - Math.max(0, callingFreeAt - now);
      const ahead = workerFreeAt.reduce((sum, free) => sum + Math.max(0, free - now), 0);
      return { cpuMs: busy, idleMs: now - busy, processCpuMs: busy + workersCpuMs - ahead };
    },
  };

  const levels: Outcome['levels'][number][] = [];
  let next = 0;
  let threadsReadyAt = Number.POSITIVE_INFINITY;
  let lastLoopLevel: number = START_LIMIT;
  const controller = new Controller(
    {
      workers,
      cpus: workers,
      threadsUnavailable: world.threadsUnavailable,
      maxLoop: MAX_LIMIT,
      maxPerWorker: MAX_TASKS_PER_WORKER,
      dispatchMs: () => world.claimedDispatchMs ?? dispatch,
      chunkable: () => false,
    },
    instruments,
    { route: 'loop', level: START_LIMIT },
    (to) => {
      levels.push({ ...to, atMs: now, index: next });
      if (to.route === 'threads' && threadsReadyAt === Number.POSITIVE_INFINITY)
        threadsReadyAt = now + (world.threadsStartMs ?? 50);
      else if (to.route === 'loop') lastLoopLevel = to.level;
      at(now, admit);
    },
  );

  // The bounded resource: `capacity` slots, FIFO.
  let slotsFree = world.capacity ?? Number.POSITIVE_INFINITY;
  const slotQueue: (() => void)[] = [];
  const acquire = (then: () => void) => {
    if (slotsFree > 0) {
      slotsFree--;
      then();
    } else slotQueue.push(then);
  };
  const release = () => {
    const waiter = slotQueue.shift();
    if (waiter) waiter();
    else slotsFree++;
  };

  const workerLoad = new Array<number>(workers).fill(0);
  const onWorker = (w: number, ms: number, then: () => void) => {
    const start = Math.max(now, workerFreeAt[w]!);
    workerFreeAt[w] = start + ms;
    workersCpuMs += ms;
    at(workerFreeAt[w]!, then);
  };

  const ran: Record<Route, number> = { loop: 0, threads: 0 };
  // Tasks admitted to the calling thread, some perhaps waiting for its next turn.
  let loopAdmitted = 0;
  let finished = 0;

  const wait = (work: Work, then: () => void) => {
    if (!work.bounded) return at(now + jitter(work.waitMs), then);
    acquire(() =>
      at(now + jitter(work.waitMs), () => {
        release();
        then();
      }),
    );
  };

  const start = (route: Route, worker: number) => {
    const work = world.work(next++);
    ran[route]++;
    let startedAt = now;
    const done = () => {
      finished++;
      if (route === 'threads') workerLoad[worker] = workerLoad[worker]! - 1;
      else loopAdmitted--;
      controller.finished(route, startedAt, 1, true);
      admit();
    };
    if (route === 'threads') {
      workerLoad[worker] = workerLoad[worker]! + 1;
      startedAt = controller.started('threads');
      compute(dispatch, () =>
        onWorker(worker, jitter(work.cpuMs), () =>
          wait(work, () => onWorker(worker, jitter(work.thenCpuMs ?? 0), done)),
        ),
      );
      return;
    }
    // On the calling thread a task starts when the runner calls it, which is when the
    // thread is free (its next turn); its first burst is committed now. A task that never
    // waits finishes with that burst; one that waits finishes with the burst after its
    // wait, which queues behind whatever the thread has by then.
    loopAdmitted++;
    const burst = jitter(work.cpuMs) + loopOverhead;
    at(Math.max(now, callingFreeAt), () => {
      startedAt = controller.started('loop');
      controller.called(burst);
    });
    if (work.waitMs === 0 && !work.thenCpuMs) compute(burst, done);
    else compute(burst, () => wait(work, () => compute(jitter(work.thenCpuMs ?? 0), done)));
  };

  function admit(): void {
    while (next < world.inputs) {
      const level = controller.level;
      const threadsReady = level.route === 'threads' && now >= threadsReadyAt;
      if (level.route === 'threads' && !threadsReady) {
        if (controller.pinned) {
          at(threadsReadyAt, admit);
          return;
        }
        if (loopAdmitted >= lastLoopLevel) return;
        if (callingFreeAt - now >= TURN_BUDGET_MS) {
          at(callingFreeAt, admit);
          return;
        }
        start('loop', 0);
        continue;
      }
      if (level.route === 'loop') {
        if (loopAdmitted >= level.level) return;
        // A task's first burst runs as it starts: past a turn's worth of work already
        // committed, the runner lets the event loop turn before starting more.
        if (callingFreeAt - now >= TURN_BUDGET_MS) {
          at(callingFreeAt, admit);
          return;
        }
        start('loop', 0);
        continue;
      }
      let worker = -1;
      for (let w = 0; w < workers; w++)
        if (workerLoad[w]! < level.level && (worker < 0 || workerLoad[w]! < workerLoad[worker]!))
          worker = w;
      if (worker < 0) return;
      start('threads', worker);
    }
  }

  if (world.pinned) controller.pin();
  at(0, admit);
  while (events.length > 0) {
    const event = pop(events)!;
    now = event.at;
    event.run();
  }
  if (finished !== world.inputs) throw new Error(`simulation stalled: ${finished}/${world.inputs}`);
  return { controller, endMs: now, levels, ran };
}

/** Park–Miller: the same numbers on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48_271) % 2_147_483_647;
    return state / 2_147_483_647;
  };
}

function before(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function push(heap: Event[], event: Event): void {
  heap.push(event);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function pop(heap: Event[]): Event | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0 && last) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
  return top;
}

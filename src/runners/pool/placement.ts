/**
 * Which worker a pool gives its next job to: a free one first; else a busy one that can
 * hold more short jobs sent ahead (see `Timings.ahead`); else none yet, and the job waits in
 * the pool's line. A crew short of workers grows here, one worker per job that finds none.
 */
import type { Crew } from './crew.js';
import type { PoolTask } from './job.js';
import type { WorkerSlot } from './slot.js';

/** How much a pool puts in one worker. */
export interface PlacementLimits {
  /** Jobs a worker runs at once. */
  readonly tasksPerWorker: number;
  /** Inputs a worker is sent before it is recycled. */
  readonly maxTasksPerWorker: number;
}

/**
 * A worker with a free slot for a job of `task`; else one that can hold more short jobs
 * (up to `ahead` beyond its slots). Never one whose answer to a load that job would wait
 * for is still due (see {@link WorkerSlot.loadingFor}): a worker started here to grow the
 * pool takes work once it has loaded the tasks in use. Nor is a job sent ahead to a busy
 * worker while another is about to be free — loading, or winding down jobs already
 * answered (cancelled, timed out), which end within the grace period at the latest: a job
 * sent ahead cannot be taken back, and a long one behind another long one would wait its
 * whole length while a worker sat idle (the first jobs after a quick one, say).
 */
export function pickWorker(
  crew: Crew,
  task: PoolTask,
  limits: PlacementLimits,
  ahead: number,
): WorkerSlot | undefined {
  const { tasksPerWorker, maxTasksPerWorker } = limits;
  let roomy: WorkerSlot | undefined;
  let roomyLoad = Number.POSITIVE_INFINITY;
  let freeSoon = false;
  for (const slot of crew) {
    if (slot.stopping) continue;
    const waits = slot.loadingFor(task);
    freeSoon ||= waits;
    if (waits || slot.sent >= maxTasksPerWorker) continue;
    const load = slot.running.size + slot.held.size;
    if (slot.running.size < tasksPerWorker && slot.held.size === 0) return slot;
    freeSoon ||= windingDown(slot);
    if (load < tasksPerWorker + ahead && load < roomyLoad) {
      roomy = slot;
      roomyLoad = load;
    }
  }
  if (crew.short && !crew.refilling) {
    const fresh = crew.spawn();
    if (!fresh.loadingFor(task)) return fresh;
    freeSoon = true;
  }
  return freeSoon ? undefined : roomy;
}

/** Every job the worker has was answered: it only winds them down, and is about to be free. */
function windingDown(slot: WorkerSlot): boolean {
  if (slot.held.size > 0) return false;
  for (const job of slot.running) if (!job.answered) return false;
  return true;
}

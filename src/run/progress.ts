/**
 * What a run shows while it works: a progress bar when stderr is a terminal, a plain line
 * every few seconds otherwise (logs, CI), so neither a human nor a log file is flooded.
 */
import { SingleBar } from 'cli-progress';

export interface ProgressSnapshot {
  /** Inputs with a result, including those found in the output when resuming. */
  readonly done: number;
  readonly failed: number;
  /** Inputs in total, once known (never for stdin). */
  readonly total: number | undefined;
  /** Results produced by this run, for the rate. */
  readonly ranNow: number;
  /** What runs the tasks, e.g. `loop` or `auto → threads`. */
  readonly mode: string;
}

export interface ProgressReporter {
  update(snapshot: ProgressSnapshot): void;
  stop(): void;
}

/** Seconds between plain progress lines when stderr is not a terminal. */
export const PLAIN_PROGRESS_INTERVAL_MS = 5_000;

export function createProgress(
  stream: NodeJS.WriteStream = process.stderr,
  intervalMs = PLAIN_PROGRESS_INTERVAL_MS,
): ProgressReporter {
  const startedAt = performance.now();
  const describe = (s: ProgressSnapshot) => {
    const seconds = (performance.now() - startedAt) / 1000;
    const rate = seconds > 0 ? s.ranNow / seconds : 0;
    const left = s.total === undefined ? undefined : Math.max(0, s.total - s.done);
    return {
      done: s.done,
      total: s.total ?? '?',
      failed: s.failed,
      mode: s.mode,
      rate: rate >= 100 ? rate.toFixed(0) : rate.toFixed(1),
      eta: left === undefined || rate === 0 ? '?' : formatSeconds(left / rate),
    };
  };

  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: '{bar} {done}/{total} | {rate}/s | ETA {eta} | {failed} failed | mode {mode}',
      hideCursor: true,
      clearOnComplete: false,
      fps: 10,
    });
    bar.start(1, 0, describe({ done: 0, failed: 0, total: undefined, ranNow: 0, mode: '…' }));
    return {
      update(s) {
        bar.setTotal(Math.max(1, s.total ?? s.done));
        bar.update(s.done, describe(s));
      },
      stop: () => bar.stop(),
    };
  }

  let latest: ProgressSnapshot | undefined;
  const timer = setInterval(() => {
    if (!latest) return;
    const d = describe(latest);
    stream.write(
      `switchyard run: ${d.done}/${d.total} done, ${d.failed} failed, ${d.rate}/s, ETA ${d.eta}, mode ${d.mode}\n`,
    );
  }, intervalMs);
  timer.unref();
  return {
    update(s) {
      latest = s;
    },
    stop: () => clearInterval(timer),
  };
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * What `switchyard bench` shows while it runs: a progress bar on a terminal, one plain line
 * per finished contender otherwise (logs, CI, pipes).
 *
 * @module
 */
import cliProgress from 'cli-progress';
import { formatMs, formatRange } from './format.js';
import { type BenchProgress, contenders } from './lab.js';
import { describePolicy } from './repeats.js';
import type { BenchSettings } from './settings.js';

/** A progress display: feed it the lab's events, stop it before printing results. */
export interface ProgressDisplay {
  readonly update: (p: BenchProgress) => void;
  readonly stop: () => void;
}

/** The display that suits `stream`: a bar on a TTY, plain lines elsewhere. */
export function benchProgress(
  settings: BenchSettings,
  stream: NodeJS.WritableStream & { isTTY?: boolean },
): ProgressDisplay {
  const rows = contenders(settings);
  if (stream.isTTY !== true) {
    stream.write(
      `bench: ${settings.jobs.join(', ')} under ${rows.join(', ')}; ${describePolicy(settings.repeat)}\n`,
    );
    return {
      update: (p) => {
        if (p.step === 'done' && p.result)
          stream.write(`bench: ${p.job} ${p.mode}: ${summary(p)}\n`);
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'bench [{bar}] {value}/{total} · {job} {mode} {what}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(settings.jobs.length * rows.length, 0, { job: '', mode: '', what: '' });
  let done = 0;
  return {
    update: (p) => {
      if (p.step === 'done') done++;
      const what = p.step === 'start' ? 'starting' : p.step === 'run' ? `run ${p.run}` : '';
      bar.update(done, { job: p.job, mode: p.mode, what });
    },
    stop: () => bar.stop(),
  };
}

function summary({ result: r }: BenchProgress): string {
  if (!r || r.wallMs === null) return r?.reason ?? 'no figures';
  const spread = r.spreadMs ? `middle half ${formatRange(r.spreadMs.low, r.spreadMs.high)}, ` : '';
  const wrong = r.verified ? '' : ' (WRONG RESULTS)';
  return `${formatMs(r.wallMs)} (${spread}${r.runs.length} run${r.runs.length === 1 ? '' : 's'})${wrong}`;
}

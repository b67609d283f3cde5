/**
 * What `switchyard bench` shows while it runs: a progress bar on a terminal, one plain line
 * per finished mode otherwise (logs, CI, pipes).
 *
 * @module
 */
import cliProgress from 'cli-progress';
import { formatMs } from './format.js';
import type { BenchProgress } from './lab.js';
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
  const total = settings.jobs.length * settings.modes.length * settings.repeat;
  if (stream.isTTY !== true) {
    stream.write(
      `bench: ${settings.jobs.join(', ')} under ${settings.modes.join(', ')}, ${settings.repeat} run(s) each\n`,
    );
    return {
      update: (p) => {
        if (p.step !== 'done' || !p.result) return;
        const r = p.result;
        stream.write(
          `bench: ${p.job} ${p.mode}: ${r.wallMs === null ? r.reason : `${formatMs(r.wallMs)}${r.verified ? '' : ' (WRONG RESULTS)'}`}\n`,
        );
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'bench [{bar}] {value}/{total} runs · {job} {mode} {what}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { job: '', mode: '', what: '' });
  let modesDone = 0;
  return {
    update: (p) => {
      if (p.step === 'done') modesDone++;
      const value = modesDone * settings.repeat + (p.step === 'run' ? p.run - 1 : 0);
      const what = p.step === 'start' ? 'starting' : p.step === 'run' ? `run ${p.run}/${p.of}` : '';
      bar.update(value, { job: p.job, mode: p.mode, what });
    },
    stop: () => bar.stop(),
  };
}

/**
 * SIGINT/SIGTERM during a run: the first asks for a drain (stop reading input, let what is
 * running finish and be written), the second for cancellation (abort what is running).
 * Either way the run ends with a flushed output and a summary instead of a torn file.
 */

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Exit status of a run stopped by a signal: 128 + the signal's number, as shells expect. */
export const SIGNAL_EXIT_CODES: Readonly<Record<StopSignal, number>> = {
  SIGINT: 130,
  SIGTERM: 143,
};

export interface StopHandlers {
  /** First signal: stop taking new input. */
  readonly drain: (signal: StopSignal) => void;
  /** Second signal: cancel what is running. */
  readonly cancel: (signal: StopSignal) => void;
}

/** Installs the handlers; returns a function that removes them (restoring the default exit). */
export function onStopSignals(handlers: StopHandlers): () => void {
  let received = 0;
  const listener = (signal: StopSignal) => {
    received++;
    if (received === 1) handlers.drain(signal);
    else handlers.cancel(signal);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}

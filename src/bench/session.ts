/**
 * What the lab measures: a contender — one of switchyard's modes, or a Python program —
 * started and warmed up, on which the whole job can be run again and again.
 *
 * @module
 */

/** A started contender. */
export interface Session {
  /** What starting it cost, in ms: until every worker (thread, process) had run a task. */
  readonly startupMs: number;
  /** Runs the warm-up inputs, untimed: before each timed run, connections that idled are reopened. */
  warm(): Promise<void>;
  /** Runs the whole job once; resolves with its outputs in input order. */
  run(): Promise<readonly unknown[]>;
  /** `auto` only: the mode it chose and why. */
  decision(): string | undefined;
  /** Releases every worker, process and connection it holds. */
  close(): Promise<void>;
}

/** Thrown by a contender that cannot run here at all; its message is the row's reason. */
export class NotAvailable extends Error {
  override readonly name = 'NotAvailable';
}

/** The first line of what `error` says. */
export function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]!;
}

/** The last line a process printed, for a reason: `it printed nothing` when it printed nothing. */
export function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] || 'it printed nothing';
}

/**
 * How the `switchyard` process ends. A command either finishes (its action settles) or ends
 * the process on purpose through {@link exitNow}. Any other end while it runs is some task's
 * doing on this thread — a `process.exit()`, an error thrown outside its promise, or a wait
 * on something that can no longer happen — and Node would end the process without a word
 * from switchyard; the hooks {@link watchExits} installs say what happened instead.
 */

let finished = false;
let what = 'the command';
let advice = '';

/** The command finished (or failed with an error it reports itself): exits are no longer early. */
export function commandFinished(): void {
  finished = true;
}

/** Ends the process on purpose, with `code`, before the command's action settles. */
export function exitNow(code: number): never {
  finished = true;
  process.exit(code);
}

/**
 * How a command words an early exit: `subject` names what was cut short (`the run`),
 * `then` says what the user has and what to do.
 */
export function explainEarlyExit(subject: string, then: string): void {
  what = subject;
  advice = then;
}

/** Installs the hooks; call once, before the command runs. */
export function watchExits(): void {
  // A task that never settles, awaiting nothing left that could settle it (no timer, no
  // socket), lets the event loop empty while the command still waits for it: Node would
  // then exit with code 13 and say nothing.
  process.on('beforeExit', () => {
    if (finished) return;
    process.stderr.write(
      'switchyard: stopped with tasks that never finished: they wait for something that can no longer happen (nothing is left to wake them); pass --timeout so that such a task fails instead\n',
    );
    exitNow(1);
  });

  let uncaught = false;
  process.on('uncaughtExceptionMonitor', () => {
    uncaught = true;
  });

  process.on('exit', (code) => {
    if (finished) return;
    const why = uncaught
      ? "at an error thrown outside any task's promise (Node prints it)"
      : 'probably because a task called process.exit()';
    process.stderr.write(
      `switchyard: the process exited with code ${code} before ${what} finished, ${why}${advice ? `; ${advice}` : ''}\n`,
    );
    // The caller's own code is kept, except success: an unfinished command must not look done.
    if (code === 0) process.exitCode = 1;
  });
}

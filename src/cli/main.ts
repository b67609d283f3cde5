#!/usr/bin/env node
/**
 * The `switchyard` command. Each subcommand lives in `commands/<name>.ts` and registers
 * itself on the program; this file only wires them together and turns a bad invocation
 * into a one-line reason and a non-zero exit.
 */
import { Command, CommanderError } from 'commander';

import { registerBench } from './commands/bench.js';
import { registerDemo } from './commands/demo.js';
import { registerProfile } from './commands/profile.js';
import { registerRun } from './commands/run.js';
import { registerWorker } from './commands/worker.js';
import { readVersion } from './version.js';

const program = new Command('switchyard')
  .description(
    'Run Node.js work under the right concurrency model (event loop, threads, processes, a cluster) and prove the choice with measurements.',
  )
  .version(readVersion())
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

// Subcommands register here, one line each.
registerBench(program);
registerDemo(program);
registerRun(program);
registerProfile(program);
registerWorker(program);

// A task that never settles, awaiting nothing left that could settle it (no timer, no
// socket), lets the event loop empty while the command still waits for it: Node would
// then exit with code 13 and say nothing.
let done = false;
process.on('beforeExit', () => {
  if (done) return;
  process.stderr.write(
    'switchyard: stopped with tasks that never finished: they wait for something that can no longer happen (nothing is left to wake them); pass --timeout so that such a task fails instead\n',
  );
  process.exit(1);
});

try {
  await program.parseAsync(process.argv);
  done = true;
} catch (error) {
  done = true;
  if (error instanceof CommanderError) process.exit(error.exitCode);
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`switchyard: ${message}\n`);
  process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : 1);
}

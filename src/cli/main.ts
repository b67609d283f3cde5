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
import { commandFinished, watchExits } from './exit.js';
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

watchExits();

try {
  await program.parseAsync(process.argv);
  commandFinished();
} catch (error) {
  commandFinished();
  if (error instanceof CommanderError) process.exit(error.exitCode);
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`switchyard: ${message}\n`);
  process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : 1);
}

import { Command, CommanderError } from 'commander';
import { registerGenerate } from './commands/generate.js';
import { registerStart } from './commands/start.js';
import { registerSubmit } from './commands/submit.js';
import { registerStatus } from './commands/status.js';
import { registerResults } from './commands/results.js';
import { registerCancel } from './commands/cancel.js';
import { registerWorker } from './commands/worker.js';
import { registerServe } from './commands/serve.js';
import { registerCache } from './commands/cache.js';
import { registerUp } from './commands/up.js';
import { registerValidate } from './commands/validate.js';
import { registerSim } from './commands/sim.js';
import { UsageError } from './usage-error.js';

/** Builds the `agent-factory` program; each command lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = new Command('agent-factory')
    .description('Turns natural-language requirements into validated Claude Code sub-agents.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  registerGenerate(program);
  registerValidate(program);
  registerStart(program);
  registerSubmit(program);
  registerStatus(program);
  registerResults(program);
  registerCancel(program);
  registerWorker(program);
  registerServe(program);
  registerCache(program);
  registerUp(program);
  registerSim(program);
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 findings or failures, 2 bad usage or input. */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = buildProgram();
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; commander has already printed them.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`agent-factory: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`agent-factory: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

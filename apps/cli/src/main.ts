import { Command, CommanderError } from 'commander';
import { UsageError } from './usage-error.js';

type Register = (program: Command) => void;

/**
 * Every command, in help order, loaded on demand: a command's process imports only what that
 * command needs (a producer never loads the server, a worker never loads Bull Board's UI).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  generate: async () => (await import('./commands/generate.js')).registerGenerate,
  validate: async () => (await import('./commands/validate.js')).registerValidate,
  start: async () => (await import('./commands/start.js')).registerStart,
  submit: async () => (await import('./commands/submit.js')).registerSubmit,
  status: async () => (await import('./commands/status.js')).registerStatus,
  results: async () => (await import('./commands/results.js')).registerResults,
  retry: async () => (await import('./commands/retry.js')).registerRetry,
  cancel: async () => (await import('./commands/cancel.js')).registerCancel,
  report: async () => (await import('./commands/report.js')).registerReport,
  worker: async () => (await import('./commands/worker.js')).registerWorker,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  doctor: async () => (await import('./commands/doctor.js')).registerDoctor,
  cache: async () => (await import('./commands/cache.js')).registerCache,
  up: async () => (await import('./commands/up.js')).registerUp,
  sim: async () => (await import('./commands/sim.js')).registerSim,
  'docs-server': async () => (await import('./commands/docs-server.js')).registerDocsServer,
  mcp: async () => (await import('./commands/mcp.js')).registerMcp,
};

/** Builds the `agent-factory` program with the command named in argv (none for --version; all of them for help or a typo). */
export async function buildProgram(argv: string[] = process.argv): Promise<Command> {
  const program = new Command('agent-factory')
    .description('Turns natural-language requirements into validated Claude Code sub-agents.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  const named = argv[2];
  // --version needs no command (loading them all took it 0.8 s); help and a typo list them all.
  const names = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : named === '--version' || named === '-V' ? [] : Object.keys(COMMANDS);
  for (const name of names) (await COMMANDS[name]!())(program);
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 findings or failures, 2 bad usage or input. */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
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

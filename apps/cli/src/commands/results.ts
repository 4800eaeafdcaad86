import type { Command } from 'commander';

// STUB: replaced by the command's owner.
/** `agent-factory results`. */
export function registerResults(program: Command): void {
  program.command('results').description('(not built yet)').action(() => undefined);
}

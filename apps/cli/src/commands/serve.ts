import type { Command } from 'commander';

// STUB: replaced by the command's owner.
/** `agent-factory serve`. */
export function registerServe(program: Command): void {
  program.command('serve').description('(not built yet)').action(() => undefined);
}

import type { Command } from 'commander';

// STUB: replaced by the command's owner.
/** `agent-factory status`. */
export function registerStatus(program: Command): void {
  program.command('status').description('(not built yet)').action(() => undefined);
}

import type { Command } from 'commander';

// STUB: replaced by the command's owner.
/** `agent-factory cancel`. */
export function registerCancel(program: Command): void {
  program.command('cancel').description('(not built yet)').action(() => undefined);
}

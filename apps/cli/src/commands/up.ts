import type { Command } from 'commander';

// STUB: replaced by the command's owner.
/** `agent-factory up`. */
export function registerUp(program: Command): void {
  program.command('up').description('(not built yet)').action(() => undefined);
}

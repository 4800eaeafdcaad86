import type { Command } from 'commander';

// STUB: replaced by the command's owner.
/** `agent-factory cache`. */
export function registerCache(program: Command): void {
  program.command('cache').description('(not built yet)').action(() => undefined);
}

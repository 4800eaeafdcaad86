import type { Command } from 'commander';

// STUB: replaced by the command's owner.
/** `agent-factory submit`. */
export function registerSubmit(program: Command): void {
  program.command('submit').description('(not built yet)').action(() => undefined);
}

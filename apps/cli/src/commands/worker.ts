import type { Command } from 'commander';

// STUB: replaced by the command's owner.
/** `agent-factory worker`. */
export function registerWorker(program: Command): void {
  program.command('worker').description('(not built yet)').action(() => undefined);
}

import type { Command } from 'commander';

/** `agent-factory generate "<requirement>"`. */
export function registerGenerate(program: Command): void {
  program.command('generate').argument('<requirement>').action(() => undefined);
}

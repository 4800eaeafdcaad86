import type { Command } from 'commander';

// STUB: owned by the validation helper.
/** `agent-factory validate <files or dirs…> [--json]`. */
export function registerValidate(program: Command): void {
  program.command('validate').argument('<paths...>').action(() => undefined);
}

import { LAYOUTS } from '@agent-factory/sdk/output';
import { Option } from 'commander';

/** `--layout agents|plugin`, shared by every command that writes agents. */
export function layoutOption(): Option {
  return new Option('--layout <layout>', 'agents: <name>.md files in the folder; plugin: the folder becomes a Claude Code plugin (.claude-plugin/plugin.json plus agents/)')
    .choices(LAYOUTS)
    .default('agents');
}

import { join } from 'node:path';
import { z } from 'zod';

/**
 * How an output folder is laid out for Claude Code: `agents` is a folder of `<name>.md` files
 * (`.claude/agents` itself); `plugin` is a plugin root, `.claude-plugin/plugin.json` plus `agents/`.
 */
export const LAYOUTS = ['agents', 'plugin'] as const;
export const LayoutSchema = z.enum(LAYOUTS);
export type Layout = z.infer<typeof LayoutSchema>;

/** Where agents go when no folder is named: the project's agents, or a plugin folder beside it. */
export const DEFAULT_DIRS: Readonly<Record<Layout, string>> = { agents: '.claude/agents', plugin: 'agent-factory-plugin' };

/** The manifest, relative to a plugin root. */
export const PLUGIN_MANIFEST = join('.claude-plugin', 'plugin.json');

/** The agent files' folder, relative to the output root. */
export function agentsFolder(layout: Layout): string {
  return layout === 'plugin' ? 'agents' : '';
}

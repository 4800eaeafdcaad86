/**
 * What Claude Code accepts in an agent file (code.claude.com/docs/en/sub-agents, late 2026).
 * One place, so the tools policy and the validator never disagree.
 */

/** Tools a sub-agent can be given today. */
export const BUILTIN_TOOLS = [
  'Agent', 'Bash', 'Edit', 'Glob', 'Grep', 'LSP', 'Monitor', 'NotebookEdit', 'PowerShell', 'Read',
  'Skill', 'TaskCreate', 'TaskGet', 'TaskList', 'TaskStop', 'TaskUpdate', 'TodoWrite', 'ToolSearch',
  'WebFetch', 'WebSearch', 'Write', 'SendMessage', 'ListMcpResourcesTool', 'ReadMcpResourceTool',
] as const;

/** Old names still seen in public collections; Claude Code may ignore them. */
export const LEGACY_TOOLS = ['Task', 'LS', 'MultiEdit', 'NotebookRead', 'TodoRead', 'BashOutput', 'KillShell'] as const;

/** Tools that exist but that a sub-agent cannot use (ExitPlanMode only under permissionMode: plan). */
export const MAIN_THREAD_ONLY_TOOLS = ['AskUserQuestion', 'EnterPlanMode', 'ExitPlanMode'] as const;

/** `mcp__server`, `mcp__server__tool` or `mcp__server__*`. */
export const MCP_TOOL_PATTERN = /^mcp__[A-Za-z0-9_-]+?(__([A-Za-z0-9_-]+|\*))?$/;

export const MODEL_ALIASES = ['sonnet', 'opus', 'haiku', 'inherit'] as const;
export const FULL_MODEL_ID_PATTERN = /^claude-[a-z0-9][a-z0-9.-]*$/;

export const PERMISSION_MODES = ['default', 'acceptEdits', 'auto', 'dontAsk', 'bypassPermissions', 'plan', 'manual'] as const;

export const COLORS = ['red', 'blue', 'green', 'yellow', 'purple', 'orange', 'pink', 'cyan'] as const;

export const EFFORT_LEVELS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;
export const MEMORY_SCOPES = ['user', 'project', 'local'] as const;

/** Every frontmatter field Claude Code reads; anything else is unknown (a warning). */
export const KNOWN_FIELDS = [
  'name', 'description', 'tools', 'disallowedTools', 'model', 'permissionMode', 'color', 'maxTurns',
  'skills', 'mcpServers', 'hooks', 'memory', 'effort', 'isolation', 'background', 'initialPrompt',
] as const;

/** `name`: lowercase letters, digits and hyphens, at most 64 characters. */
export const AGENT_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const AGENT_NAME_MAX = 64;

/** The MCP server name the factory uses for Context7 tools in generated agents. */
export const CONTEXT7_MCP_TOOLS = ['mcp__context7__resolve-library-id', 'mcp__context7__query-docs'] as const;

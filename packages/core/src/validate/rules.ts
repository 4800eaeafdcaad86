import type { GateId } from '../schemas/report.js';

export interface RuleInfo {
  gate: GateId;
  /** The usual severity; a few rules raise or lower it, as their summaries say. */
  severity: 'error' | 'warning';
  summary: string;
}

/** Every rule the validator can report, by stable id. Ids never change meaning once released. */
export const RULES = {
  'syntax/encoding': { gate: 'syntax', severity: 'error', summary: 'The file is not UTF-8 (Latin-1, UTF-16 …): the other gates are not run.' },
  'syntax/no-bom': { gate: 'syntax', severity: 'error', summary: 'The file starts with a byte-order mark.' },
  'syntax/lf-line-endings': { gate: 'syntax', severity: 'warning', summary: 'The file uses CRLF line endings (a warning: Claude Code reads them) or lone CR line endings (an error: Claude Code then finds no frontmatter).' },
  'syntax/frontmatter-missing': { gate: 'syntax', severity: 'error', summary: 'No `---` frontmatter block.' },
  'syntax/frontmatter-not-on-line-1': { gate: 'syntax', severity: 'error', summary: 'The frontmatter does not start on line 1.' },
  'syntax/frontmatter-unclosed': { gate: 'syntax', severity: 'error', summary: 'No closing `---` line.' },
  'syntax/yaml-strict': { gate: 'syntax', severity: 'error', summary: 'The frontmatter is not strict YAML.' },
  'syntax/frontmatter-mapping': { gate: 'syntax', severity: 'error', summary: 'The frontmatter is not a key/value mapping.' },
  'syntax/name-required': { gate: 'syntax', severity: 'error', summary: '`name` is missing.' },
  'syntax/name-format': { gate: 'syntax', severity: 'error', summary: '`name` is not lowercase letters, digits and hyphens (at most 64).' },
  'syntax/description-required': { gate: 'syntax', severity: 'error', summary: '`description` is missing.' },
  'syntax/description-string': { gate: 'syntax', severity: 'error', summary: '`description` is not a non-empty string.' },
  'syntax/tools-string': { gate: 'syntax', severity: 'warning', summary: '`tools`/`disallowedTools` is not a comma-separated string (a list is a warning, anything else an error).' },
  'syntax/unknown-field': { gate: 'syntax', severity: 'warning', summary: 'A frontmatter field Claude Code does not read.' },
  'syntax/body-missing': { gate: 'syntax', severity: 'warning', summary: 'No system prompt after the frontmatter (an error in the factory\'s own drafts).' },

  'content/tier-sections': { gate: 'content', severity: 'error', summary: 'A section the tier requires is missing.' },
  'content/second-person-role': { gate: 'content', severity: 'warning', summary: 'The first paragraph is not a second-person role statement.' },
  'content/no-placeholders': { gate: 'content', severity: 'warning', summary: 'A leftover placeholder (TODO, TBD, {{…}}, lorem ipsum…); an error in the factory\'s own drafts.' },
  'content/length': { gate: 'content', severity: 'warning', summary: 'The body is shorter or longer than the tier allows.' },
  'content/key-terms': { gate: 'content', severity: 'warning', summary: 'A key term of the requirement is missing (an error when more than half are).' },

  'claude-code/tool-unknown': { gate: 'claude-code', severity: 'warning', summary: 'A tool name Claude Code does not know.' },
  'claude-code/tool-legacy': { gate: 'claude-code', severity: 'warning', summary: 'A legacy tool name.' },
  'claude-code/no-real-tools': { gate: 'claude-code', severity: 'error', summary: '`tools` has no real tool: the agent would start with zero tools.' },
  'claude-code/main-thread-only-tool': { gate: 'claude-code', severity: 'warning', summary: 'A tool sub-agents cannot use (Claude Code drops it; Claude Code\'s own agent generator used to list ExitPlanMode).' },
  'claude-code/model': { gate: 'claude-code', severity: 'error', summary: '`model` is not an alias or a full `claude-…` id.' },
  'claude-code/permission-mode': { gate: 'claude-code', severity: 'error', summary: 'Invalid `permissionMode`.' },
  'claude-code/color': { gate: 'claude-code', severity: 'warning', summary: 'Invalid `color` (Claude Code ignores it and uses the default).' },
  'claude-code/effort': { gate: 'claude-code', severity: 'error', summary: 'Invalid `effort`.' },
  'claude-code/memory': { gate: 'claude-code', severity: 'error', summary: 'Invalid `memory` (a one-item list of a valid scope is a warning).' },
  'claude-code/isolation': { gate: 'claude-code', severity: 'error', summary: 'Invalid `isolation`.' },
  'claude-code/max-turns': { gate: 'claude-code', severity: 'error', summary: '`maxTurns` is not a positive integer.' },
  'claude-code/background': { gate: 'claude-code', severity: 'error', summary: '`background` is not a boolean.' },
  'claude-code/description-trigger': { gate: 'claude-code', severity: 'warning', summary: 'The description does not say when to use the agent.' },
  'claude-code/description-length': { gate: 'claude-code', severity: 'warning', summary: 'The description is long (it is always in context).' },
  'claude-code/duplicate-name': { gate: 'claude-code', severity: 'error', summary: 'Another file validated with this one declares the same `name` (Claude Code loads only one of them).' },
  'claude-code/policy-tools': { gate: 'claude-code', severity: 'error', summary: 'A tool outside the tools policy.' },

  'trust5/test-first': { gate: 'trust5', severity: 'warning', summary: 'An editing agent that never says how it verifies its work.' },
  'trust5/headings': { gate: 'trust5', severity: 'warning', summary: 'The body has no `## ` sections.' },
  'trust5/wall-of-text': { gate: 'trust5', severity: 'warning', summary: 'A paragraph over 1,200 characters.' },
  'trust5/sections-h2': { gate: 'trust5', severity: 'warning', summary: 'Sections use `# ` headings instead of `## `.' },
  'trust5/lists': { gate: 'trust5', severity: 'warning', summary: 'The body uses no lists.' },
  'trust5/bypass-permissions': { gate: 'trust5', severity: 'warning', summary: '`permissionMode: bypassPermissions` (an error in the factory\'s own drafts).' },
  'trust5/no-secrets': { gate: 'trust5', severity: 'error', summary: 'A secret (API key, token, private key) in the file (a documentation sample such as AKIAIOSFODNN7EXAMPLE is a warning).' },
  'trust5/bash-commands': { gate: 'trust5', severity: 'warning', summary: '`Bash` granted but the body names no commands.' },
  'trust5/commands-without-bash': { gate: 'trust5', severity: 'warning', summary: 'The body tells the agent to run tests or commands, but `tools` grants no Bash.' },
  'trust5/tracking-comment': { gate: 'trust5', severity: 'warning', summary: 'No trailing agent-factory tracking comment (an error when the requirement is known).' },
  'trust5/requirement-hash': { gate: 'trust5', severity: 'error', summary: 'The tracking comment names another requirement.' },
  'trust5/tracking-tier': { gate: 'trust5', severity: 'warning', summary: 'The tracking comment names another tier.' },
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

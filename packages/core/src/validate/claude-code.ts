import {
  BUILTIN_TOOLS, COLORS, EFFORT_LEVELS, FULL_MODEL_ID_PATTERN, LEGACY_TOOLS, MAIN_THREAD_ONLY_TOOLS,
  MCP_TOOL_PATTERN, MEMORY_SCOPES, MODEL_ALIASES, PERMISSION_MODES,
} from '../claude-code-facts.js';
import type { GateResult } from '../schemas/report.js';
import type { ValidationContext } from './context.js';
import type { FrontmatterField, ParsedAgentFile } from './parse.js';
import type { RuleId } from './rules.js';
import { GateFindings } from './scoring.js';
import { toolEntries, type ToolEntry } from './tool-list.js';

/** Descriptions are loaded into every conversation: past this they cost context for little gain. */
export const DESCRIPTION_MAX_CHARS = 300;

const BUILTIN = new Set<string>(BUILTIN_TOOLS);
const LEGACY = new Set<string>(LEGACY_TOOLS);
const MAIN_THREAD_ONLY = new Set<string>(MAIN_THREAD_ONLY_TOOLS);
const BUILTIN_BY_LOWER = new Map(BUILTIN_TOOLS.map((t) => [t.toLowerCase(), t]));
/** Where each legacy name's job went. */
const LEGACY_REPLACEMENT: Record<string, string> = {
  Task: 'Agent', LS: 'Glob', MultiEdit: 'Edit', NotebookRead: 'Read', TodoRead: 'TodoWrite',
  BashOutput: 'Monitor', KillShell: 'TaskStop',
};
const TRIGGER = /\b(?:use (?:this agent |this |it )?(?:proactively|when|whenever|for|after|before|if|to)|invoke (?:this agent |it )?(?:when|for|after|proactively)|when the user|must be used|should be used|trigger(?:ed)? (?:when|by|on)|call (?:this agent |it )?when)\b/i;
const WHITESPACE = /\s+/;

interface EnumRule {
  field: string;
  rule: RuleId;
  allowed: readonly string[];
}

const ENUM_FIELDS: readonly EnumRule[] = [
  { field: 'permissionMode', rule: 'claude-code/permission-mode', allowed: PERMISSION_MODES },
  { field: 'color', rule: 'claude-code/color', allowed: COLORS },
  { field: 'effort', rule: 'claude-code/effort', allowed: EFFORT_LEVELS },
  { field: 'memory', rule: 'claude-code/memory', allowed: MEMORY_SCOPES },
  { field: 'isolation', rule: 'claude-code/isolation', allowed: ['worktree'] },
];

function isRealTool(name: string, planMode: boolean): boolean {
  return BUILTIN.has(name) || name === 'Task' || MCP_TOOL_PATTERN.test(name) || (planMode && name === 'ExitPlanMode');
}

/** Findings for one name in `tools` or `disallowedTools`. */
function toolNameFinding(key: string, entry: ToolEntry, line: number, planMode: boolean, out: GateFindings): void {
  const { name } = entry;
  if (BUILTIN.has(name) || MCP_TOOL_PATTERN.test(name)) return;
  if (LEGACY.has(name)) {
    out.add('claude-code/tool-legacy', line, `\`${key}\` uses the legacy tool name "${name}"; use "${LEGACY_REPLACEMENT[name] ?? 'a current tool'}" instead.`);
  } else if (MAIN_THREAD_ONLY.has(name)) {
    if (key === 'disallowedTools' || (planMode && name === 'ExitPlanMode')) return;
    const extra = name === 'ExitPlanMode' ? ' (it is allowed only with `permissionMode: plan`)' : '';
    out.add('claude-code/main-thread-only-tool', line, `Sub-agents cannot use ${name}${extra}, so Claude Code drops it; remove it from \`${key}\`.`);
  } else {
    const cased = BUILTIN_BY_LOWER.get(name.toLowerCase());
    const words = name.split(WHITESPACE);
    const hint = cased
      ? ` Did you mean "${cased}"? Tool names are case-sensitive.`
      : words.length > 1 && words.every((w) => BUILTIN.has(w))
        ? ` Separate tool names with commas: "${words.join(', ')}".`
        : ' Use a built-in tool name or an MCP tool (mcp__server__tool).';
    out.add('claude-code/tool-unknown', line, `\`${key}\` names an unknown tool "${name}".${hint}`);
  }
}

function toolFindings(file: ParsedAgentFile, context: ValidationContext, planMode: boolean, out: GateFindings): void {
  const fields = file.frontmatter.fields;
  for (const key of ['tools', 'disallowedTools']) {
    const field = fields.get(key);
    const entries = field ? toolEntries(field.value) : undefined;
    if (!field || !entries) continue;
    for (const entry of entries) toolNameFinding(key, entry, field.line, planMode, out);
    if (key === 'tools' && entries.length > 0 && !entries.some((e) => isRealTool(e.name, planMode))) {
      out.add('claude-code/no-real-tools', field.line, 'No entry in `tools` is a real tool, so Claude Code would start the agent with zero tools; list built-in or MCP tool names.');
    }
  }
  const policy = context.policy;
  if (!policy) return;
  const tools = fields.get('tools');
  const entries = tools ? toolEntries(tools.value) : undefined;
  if (!tools || !entries) {
    out.add('claude-code/policy-tools', tools?.line ?? file.frontmatter.startLine, `Without a \`tools\` field the agent gets every tool; write \`tools: ${policy.tools.join(', ')}\`.`);
    return;
  }
  const allowed = new Set(policy.tools);
  for (const entry of entries) {
    if (!allowed.has(entry.name)) {
      out.add('claude-code/policy-tools', tools.line, `"${entry.name}" is outside the tools policy (${policy.tools.join(', ')}); remove it.`);
    }
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : value === null ? 'empty' : JSON.stringify(value) ?? String(value);
}

function modelFinding(field: FrontmatterField, out: GateFindings): void {
  const v = field.value;
  if (typeof v === 'string' && ((MODEL_ALIASES as readonly string[]).includes(v) || FULL_MODEL_ID_PATTERN.test(v))) return;
  out.add('claude-code/model', field.line, `\`model\` is ${describe(v)}; use ${MODEL_ALIASES.join(', ')} or a full model id such as claude-sonnet-4-6.`);
}

function enumFinding(spec: EnumRule, field: FrontmatterField, out: GateFindings): void {
  const v = field.value;
  if (typeof v === 'string' && spec.allowed.includes(v)) return;
  const only: unknown = Array.isArray(v) && v.length === 1 ? v[0] : undefined;
  if (typeof only === 'string' && spec.allowed.includes(only)) {
    // `memory:\n  - user`: the right value in the wrong shape, like a YAML list of tools.
    out.add(spec.rule, field.line, `\`${spec.field}\` is a YAML list; Claude Code expects a single value: \`${spec.field}: ${only}\`.`, { severity: 'warning' });
    return;
  }
  const cased = typeof v === 'string' ? spec.allowed.find((a) => a.toLowerCase() === v.trim().toLowerCase()) : undefined;
  out.add(spec.rule, field.line, cased
    ? `\`${spec.field}\` is ${describe(v)}; values are case-sensitive: \`${spec.field}: ${cased}\`.`
    : `\`${spec.field}\` is ${describe(v)}; use one of: ${spec.allowed.join(', ')}.`);
}

function descriptionFindings(field: FrontmatterField | undefined, out: GateFindings): void {
  if (typeof field?.value !== 'string' || field.value.trim() === '') return; // gate 1's finding
  const d = field.value;
  if (!TRIGGER.test(d)) {
    out.add('claude-code/description-trigger', field.line, 'The description should say when to delegate to the agent: start with "Use when …" or "Use proactively when …".');
  }
  if (d.length > DESCRIPTION_MAX_CHARS) {
    out.add('claude-code/description-length', field.line, `The description has ${d.length} characters and is always in context; shorten it to ${DESCRIPTION_MAX_CHARS} or fewer and move examples into the body.`);
  }
}

/** Gate 3: Claude Code will load the agent as written, with real tools, models and settings. */
export function checkClaudeCode(file: ParsedAgentFile, context: ValidationContext = {}): GateResult {
  const out = new GateFindings('claude-code');
  const fields = file.frontmatter.fields;
  const planMode = fields.get('permissionMode')?.value === 'plan';
  toolFindings(file, context, planMode, out);
  const model = fields.get('model');
  if (model) modelFinding(model, out);
  for (const spec of ENUM_FIELDS) {
    const field = fields.get(spec.field);
    if (field) enumFinding(spec, field, out);
  }
  const maxTurns = fields.get('maxTurns');
  if (maxTurns && !(typeof maxTurns.value === 'number' && Number.isInteger(maxTurns.value) && maxTurns.value > 0)) {
    out.add('claude-code/max-turns', maxTurns.line, `\`maxTurns\` is ${describe(maxTurns.value)}; use a positive whole number, e.g. \`maxTurns: 20\`.`);
  }
  const background = fields.get('background');
  if (background && typeof background.value !== 'boolean') {
    out.add('claude-code/background', background.line, `\`background\` is ${describe(background.value)}; use true or false (unquoted).`);
  }
  descriptionFindings(fields.get('description'), out);
  return out.result();
}

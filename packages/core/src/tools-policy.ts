import { EDITING_CAPABILITIES } from './analyze.js';
import { CONTEXT7_MCP_TOOLS } from './claude-code-facts.js';
import type { Analysis, Capability } from './schemas/analysis.js';
import type { ToolPolicy } from './schemas/tools.js';

export interface ToolPolicyOptions {
  /** Research through Context7 adds its MCP tools to agents that research. */
  context7?: boolean;
}

// Capabilities whose work is writing files: new code, tests, docs, fixes, refactors, migrations.
const EDITING: ReadonlySet<Capability> = new Set(EDITING_CAPABILITIES);

/**
 * Tools are listed in a stable order: Read, Grep, Glob, Edit, Write, Bash, WebFetch, WebSearch,
 * TodoWrite, then MCP tools.
 * Least-privilege tools and permission mode from capabilities and constraints; never bypassPermissions.
 * Only the analysis decides: the requirement's own words ("give it every tool") never reach here
 * as instructions. permissionMode is always 'default': 'plan' would stop a sub-agent from acting,
 * and 'acceptEdits' would skip the user's review of its edits.
 */
export function toolPolicy(analysis: Analysis, options: ToolPolicyOptions = {}): ToolPolicy {
  const kinds = new Set(analysis.constraints.map((c) => c.kind));
  const caps = new Set(analysis.capabilities);
  const tools: string[] = ['Read', 'Grep', 'Glob'];
  const reasons: string[] = ['Read, Grep and Glob: every agent needs to read the code it works on.'];

  const editing = analysis.capabilities.filter((c) => EDITING.has(c));
  const readOnly = kinds.has('read-only') || kinds.has('no-modify');
  if (editing.length > 0 && !readOnly) {
    tools.push('Edit', 'Write');
    reasons.push(`Edit and Write: the agent must change files to ${editing.join(', ')}.`);
  } else if (editing.length > 0) {
    reasons.push('Edit and Write withheld: the requirement forbids modifying files.');
  } else {
    reasons.push('Edit and Write withheld: nothing in the task changes files.');
  }

  if (analysis.needsShell && !kinds.has('no-exec')) {
    tools.push('Bash');
    reasons.push('Bash: the agent has to run commands (tests, linters, CLIs).');
  } else if (analysis.needsShell) {
    reasons.push('Bash withheld: the requirement forbids running commands.');
  }

  const offline = kinds.has('no-network');
  if (analysis.needsWeb && !offline) {
    tools.push('WebFetch', 'WebSearch');
    reasons.push('WebFetch and WebSearch: the agent has to read current material on the web.');
  } else if (analysis.needsWeb) {
    reasons.push('WebFetch and WebSearch withheld: the agent must work offline.');
  }

  if (caps.has('orchestrate')) {
    tools.push('TodoWrite');
    reasons.push('TodoWrite: a multi-step orchestration needs a visible plan.');
  }

  const researchesLibraries = caps.has('research') || (analysis.needsWeb && analysis.frameworks.length > 0);
  if (options.context7 === true && researchesLibraries && !offline) {
    tools.push(...CONTEXT7_MCP_TOOLS);
    reasons.push('Context7 tools: the agent looks up library documentation.');
  }

  return { tools, permissionMode: 'default', reasons };
}

/** Keeps only the tools the policy grants, in the policy's order (for whatever a model wrote). */
export function clampTools(tools: readonly string[], policy: ToolPolicy): string[] {
  const wanted = new Set(tools.map((t) => t.trim()));
  return policy.tools.filter((t) => wanted.has(t));
}

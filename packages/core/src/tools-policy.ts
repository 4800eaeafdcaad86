import type { Analysis } from './schemas/analysis.js';
import type { ToolPolicy } from './schemas/tools.js';

export interface ToolPolicyOptions {
  /** Research through Context7 adds its MCP tools to agents that research. */
  context7?: boolean;
}

// STUB: owned by the analysis helper.
/** Least-privilege tools and permission mode from capabilities and constraints; never bypassPermissions. */
export function toolPolicy(analysis: Analysis, options: ToolPolicyOptions = {}): ToolPolicy {
  throw new Error(`not implemented ${analysis.requirement.length} ${String(options.context7)}`);
}

// STUB: owned by the analysis helper.
/** Keeps only the tools the policy grants, in the policy's order (for whatever a model wrote). */
export function clampTools(tools: readonly string[], policy: ToolPolicy): string[] {
  return tools.filter((t) => policy.tools.includes(t));
}

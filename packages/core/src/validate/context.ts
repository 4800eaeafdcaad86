import type { Tier } from '../schemas/requirement.js';
import type { ToolPolicy } from '../schemas/tools.js';

/**
 * What the validator knows about the agent beyond its text. Files the factory did not write
 * have none of it: the gates then check only what a file alone can show.
 */
export interface ValidationContext {
  tier?: Tier;
  /** The requirement's distinctive words, which the body must mention. */
  keyTerms?: string[];
  /** The tools policy the agent must stay within. */
  policy?: ToolPolicy;
  /** The requirement, to check the tracking comment's hash. */
  requirement?: string;
}

/**
 * True when the file is the factory's own draft (the validator knows what it was generated for).
 * A few rules are errors for such drafts, which go back to generation, but only warnings on
 * foreign files, where they are matters of quality rather than of Claude Code loading the agent.
 */
export function isFactoryDraft(context: ValidationContext): boolean {
  return context.tier !== undefined || context.requirement !== undefined || context.policy !== undefined || context.keyTerms !== undefined;
}

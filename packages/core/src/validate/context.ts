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

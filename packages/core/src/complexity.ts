import type { Analysis } from './schemas/analysis.js';
import type { Complexity } from './schemas/complexity.js';
import type { AgentModel, Tier } from './schemas/requirement.js';

export interface ComplexityOptions {
  /** Force a tier (the user's `--tier`); the score is still computed. */
  tier?: Tier;
  /** Force the agent's model (the user's `--model`). */
  model?: AgentModel;
  /** Agent model per tier; defaults simple → haiku, standard → sonnet, complex → opus. */
  models?: Partial<Record<Tier, AgentModel>>;
}

// STUB: owned by the analysis helper.
/** Scores 1–10 from keyword features and picks the tier and the agent's model. */
export function assessComplexity(analysis: Analysis, options: ComplexityOptions = {}): Complexity {
  throw new Error(`not implemented ${analysis.requirement.length} ${Object.keys(options).length}`);
}

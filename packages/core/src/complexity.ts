import type { Analysis, Capability } from './schemas/analysis.js';
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

export const DEFAULT_TIER_MODELS: Readonly<Record<Tier, AgentModel>> = { simple: 'haiku', standard: 'sonnet', complex: 'opus' };

/** Weights of the four features in the score (DESIGN.md). */
export const COMPLEXITY_WEIGHTS = { capability: 0.3, integration: 0.25, scale: 0.25, pattern: 0.2 } as const;

// Work that spans steps, systems or versions is harder to get right than a single action.
const CAPABILITY_WEIGHT: Readonly<Record<Capability, number>> = {
  orchestrate: 3, migrate: 2.5, integrate: 2, deploy: 1.5, secure: 1.5, optimize: 1.5, refactor: 1.5,
  debug: 1.5, monitor: 1.5, create: 1, analyze: 1, review: 1, validate: 1, research: 1, test: 1, document: 1,
};
const SCALE_FEATURE = { small: 1, medium: 5, enterprise: 9 } as const;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round1 = (x: number): number => Math.round(x * 10) / 10;

export function tierForScore(score: number): Tier {
  return score <= 3 ? 'simple' : score <= 6 ? 'standard' : 'complex';
}

/** Scores 1–10 from keyword features and picks the tier and the agent's model. */
export function assessComplexity(analysis: Analysis, options: ComplexityOptions = {}): Complexity {
  const capabilityWeight = analysis.capabilities.reduce((sum, c) => sum + CAPABILITY_WEIGHT[c], 0);
  const features = {
    capability: round1(clamp(2 * capabilityWeight, 0, 10)),
    integration: round1(clamp(2.5 * (analysis.frameworks.length + analysis.integrations.length), 0, 10)),
    scale: SCALE_FEATURE[analysis.scale],
    // Secondary domains count a little even below the multi-domain threshold: breadth is work.
    pattern: round1(clamp(3 * analysis.patterns.length + analysis.domains.secondary.length, 0, 10)),
  };
  const weighted =
    COMPLEXITY_WEIGHTS.capability * features.capability +
    COMPLEXITY_WEIGHTS.integration * features.integration +
    COMPLEXITY_WEIGHTS.scale * features.scale +
    COMPLEXITY_WEIGHTS.pattern * features.pattern;
  const score = clamp(Math.round(weighted), 1, 10);
  const scoredTier = tierForScore(score);
  const tier = options.tier ?? scoredTier;

  const drivers = (Object.keys(COMPLEXITY_WEIGHTS) as (keyof typeof COMPLEXITY_WEIGHTS)[])
    .map((k) => ({ k, v: COMPLEXITY_WEIGHTS[k] * features[k] }))
    .filter((d) => d.v > 0)
    .sort((a, b) => b.v - a.v)
    .slice(0, 2)
    .map((d) => `${d.k} ${features[d.k]}/10`)
    .join(' and ');
  const tierReason =
    options.tier !== undefined
      ? `Tier ${tier} was set by the user; the keyword score alone is ${score}/10 (${scoredTier}), driven by ${drivers}.`
      : `Score ${score}/10 puts this in the ${tier} tier, driven mostly by ${drivers}.`;

  const configured = options.models?.[tier];
  let model: AgentModel;
  let modelReason: string;
  if (options.model !== undefined) {
    model = options.model;
    modelReason = `Model ${model} was chosen by the user.`;
  } else if (configured !== undefined) {
    model = configured;
    modelReason = `Model ${model} is the configured model for ${tier} agents.`;
  } else {
    model = DEFAULT_TIER_MODELS[tier];
    modelReason = `Model ${model} is the default for ${tier} agents.`;
  }

  return { score, tier, features, model, reasons: [tierReason, modelReason] };
}

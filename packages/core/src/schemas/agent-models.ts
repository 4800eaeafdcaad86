import { z } from 'zod';
import { AgentModelSchema, TierSchema, type AgentModel, type Tier } from './requirement.js';

/** The agent's model per tier (the `model:` written into each file), e.g. `{ simple: 'haiku' }`. */
export const AgentModelsSchema = z.partialRecord(TierSchema, AgentModelSchema);
export type AgentModels = Partial<Record<Tier, AgentModel>>;

/**
 * `simple=haiku,standard=sonnet` (AF_AGENT_MODELS) as AgentModels; a pair that is not tier=model is
 * an issue naming it. The one parser of that variable: the CLI, the SDK and workers all read it here.
 * Tiers come out in tier order, so two spellings of one mapping key the same cached agents.
 */
export const AgentModelsTextSchema = z.string().transform((text, ctx): AgentModels => {
  const given: AgentModels = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [tier, model, ...rest] = pair.split('=').map((s) => s.trim());
    const parsedTier = TierSchema.safeParse(tier);
    const parsedModel = AgentModelSchema.safeParse(model);
    if (!parsedTier.success || !parsedModel.success || rest.length > 0) {
      ctx.addIssue({ code: 'custom', message: `"${pair}" is not tier=model (e.g. simple=haiku)` });
      return z.NEVER;
    }
    given[parsedTier.data] = parsedModel.data;
  }
  const models: AgentModels = {};
  for (const tier of TierSchema.options) if (given[tier] !== undefined) models[tier] = given[tier];
  return models;
});

/** AgentModelsTextSchema for callers that want an Error with the one-line reason, not a ZodError. */
export function parseAgentModels(text: string): AgentModels {
  const parsed = AgentModelsTextSchema.safeParse(text);
  if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'not tier=model pairs');
  return parsed.data;
}

import { AgentModelSchema, TierSchema, type AgentModel, type Tier } from '@agent-factory/core';
import { z } from 'zod';

/** The agent's model per tier (the `model:` written into each file), e.g. `{ simple: 'haiku' }`. */
export const AgentModelsSchema = z.partialRecord(TierSchema, AgentModelSchema);
export type AgentModels = Partial<Record<Tier, AgentModel>>;

/**
 * `simple=haiku,standard=sonnet` (AF_AGENT_MODELS) as AgentModels; a pair that is not tier=model is
 * an issue naming it. Its own module, so the CLI's config can read it without loading the library.
 */
export const AgentModelsTextSchema = z.string().transform((text, ctx): AgentModels => {
  const models: AgentModels = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [tier, model] = pair.split('=').map((s) => s.trim());
    const parsedTier = TierSchema.safeParse(tier);
    const parsedModel = AgentModelSchema.safeParse(model);
    if (!parsedTier.success || !parsedModel.success) {
      ctx.addIssue({ code: 'custom', message: `"${pair}" is not tier=model (e.g. simple=haiku)` });
      return z.NEVER;
    }
    models[parsedTier.data] = parsedModel.data;
  }
  return models;
});

import { z } from 'zod';
import { AgentModelSchema, TierSchema } from './requirement.js';

export const ComplexitySchema = z.object({
  /** 1–10. */
  score: z.number().int().min(1).max(10),
  tier: TierSchema,
  /** Each feature 0–10 before weighting (capability 0.3, integration 0.25, scale 0.25, pattern 0.2). */
  features: z.object({
    capability: z.number(),
    integration: z.number(),
    scale: z.number(),
    pattern: z.number(),
  }),
  /** The agent's model by tier policy (or the user's choice). */
  model: AgentModelSchema,
  /** Why this tier and this model, one sentence each. */
  reasons: z.array(z.string()),
});
export type Complexity = z.infer<typeof ComplexitySchema>;

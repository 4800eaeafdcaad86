import { z } from 'zod';

/** The longest requirement we accept; longer texts are documents, not requirements. */
export const MAX_REQUIREMENT_CHARS = 8000;

export const TierSchema = z.enum(['simple', 'standard', 'complex']);
export type Tier = z.infer<typeof TierSchema>;

/** The agent's `model:` field (what Claude Code runs it with), not the generation model. */
export const AgentModelSchema = z.union([
  z.enum(['haiku', 'sonnet', 'opus', 'inherit']),
  z.string().regex(/^claude-[a-z0-9.-]+$/, 'a full model id starts with "claude-"'),
]);
export type AgentModel = z.infer<typeof AgentModelSchema>;

export const RequirementTextSchema = z
  .string()
  .refine((s) => s.trim().length > 0, 'the requirement is empty')
  .refine((s) => s.length <= MAX_REQUIREMENT_CHARS, `the requirement is over ${MAX_REQUIREMENT_CHARS} characters`);

/** One requirement as a user submits it (a JSONL line, a CSV row, a CLI argument). */
export const RequirementSchema = z.object({
  id: z.string().min(1).max(200).optional(),
  requirement: RequirementTextSchema,
  tier: TierSchema.optional(),
  model: AgentModelSchema.optional(),
});
export type Requirement = z.infer<typeof RequirementSchema>;

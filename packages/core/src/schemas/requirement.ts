import { z } from 'zod';
import { labelSchema } from './label.js';

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

/**
 * Characters as a reader counts them: code points, so an emoji is one, not its two UTF-16 units.
 * Counted only past the limit in units (never below it), so the common case costs one comparison.
 */
function withinCharLimit(text: string): boolean {
  if (text.length <= MAX_REQUIREMENT_CHARS) return true;
  let chars = 0;
  for (let i = 0; i < text.length && chars <= MAX_REQUIREMENT_CHARS; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    chars++;
  }
  return chars <= MAX_REQUIREMENT_CHARS;
}

export const RequirementTextSchema = z
  .string()
  .refine((s) => s.trim().length > 0, 'the requirement is empty')
  .refine(withinCharLimit, `the requirement is over ${MAX_REQUIREMENT_CHARS} characters`);

/** One requirement as a user submits it (a JSONL line, a CSV row, a CLI argument). */
export const RequirementSchema = z.object({
  id: labelSchema(200).optional(),
  requirement: RequirementTextSchema,
  tier: TierSchema.optional(),
  model: AgentModelSchema.optional(),
});
export type Requirement = z.infer<typeof RequirementSchema>;

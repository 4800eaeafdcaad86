import { z } from 'zod';
import { BUDGET_STAGES } from '../budget.js';
import { TierSchema } from '../schemas/requirement.js';
import { UsageSchema } from '../schemas/usage.js';

/** How a requirement ended. */
export const OUTCOMES = ['completed', 'failed', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The pipeline's stages, as timed. */
export const PIPELINE_STAGES = ['analyze', 'research', 'generate', 'validate'] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/** How the kept file was generated: a Messages API call, a Message Batch, or the offline generator. */
export const GENERATION_MODES = ['realtime', 'batch', 'offline'] as const;
export type GenerationMode = (typeof GENERATION_MODES)[number];

const StageTimeSchema = z.object({
  /** Waiting in the stage's queue, ms. */
  wait: z.number().nonnegative(),
  /** Running, ms. */
  run: z.number().nonnegative(),
});

/**
 * What one requirement did, recorded once when it ends: the unit every metric, report and alert is
 * built from. Bounded labels only (tier, model, stage, rule id, error class); free text stays in
 * the capped recent log.
 */
export const RequirementRecordSchema = z.object({
  /** When it ended, epoch ms. */
  at: z.number().int(),
  batch: z.string().optional(),
  /** The requirement's key (hash of its text and options). */
  key: z.string().optional(),
  outcome: z.enum(OUTCOMES),
  /** For a failure: the stage and the reason as the user reads it. */
  error: z.string().optional(),
  tier: TierSchema.optional(),
  complexity: z.number().optional(),
  /** Generation model id (`offline` for the template generator). */
  model: z.string().optional(),
  mode: z.enum(GENERATION_MODES).optional(),
  /** Submitted to finished, ms. */
  totalMs: z.number().nonnegative().optional(),
  stages: z.partialRecord(z.enum(PIPELINE_STAGES), StageTimeSchema).default({}),
  /** Tokens per budget stage (estimated offline, the provider's count for generation). */
  budget: z.partialRecord(z.enum(BUDGET_STAGES), z.number().nonnegative()).default({}),
  usage: UsageSchema.optional(),
  /** US dollars. */
  cost: z.number().nonnegative().default(0),
  /** What the same usage would have cost without Message Batches (equals cost in realtime). */
  realtimeCost: z.number().nonnegative().default(0),
  /**
   * Spend only: a billed result collected after its requirement had ended (a Message Batch request
   * of a cancelled batch). Its usage and cost count; it is not another finished requirement.
   */
  spendOnly: z.boolean().default(false),
  /** Answered from the finished-agents cache (nothing else ran). */
  cachedAgent: z.boolean().default(false),
  /** For a cached answer: the tokens (every kind) its agent took when it was generated, when the cache copy says. */
  cachedTokens: z.number().int().nonnegative().optional(),
  /**
   * Docs look-ups the requirement needed, the calls that reached the source (the rest the research
   * cache answered), repeated libraries, and the research tokens handed to generation.
   */
  research: z
    .object({ lookups: z.number().int().nonnegative(), calls: z.number().int().nonnegative(), tokens: z.number().int().nonnegative(), duplicates: z.number().int().nonnegative() })
    .optional(),
  /** Job retries across stages plus provider retries. */
  retries: z.number().int().nonnegative().default(0),
  attempts: z.number().int().nonnegative().optional(),
  degraded: z.array(z.string()).default([]),
  gates: z.record(z.string(), z.number()).optional(),
  /** Rule ids with an error finding, on any draft of this requirement (first drafts included). */
  failingRules: z.array(z.string()).default([]),
});
export type RequirementRecord = z.infer<typeof RequirementRecordSchema>;
export type RequirementRecordInput = z.input<typeof RequirementRecordSchema>;

/** Every kind of token of a record (input, output, cache write, cache read). */
export function recordTokens(record: Pick<RequirementRecord, 'usage'>): number {
  const u = record.usage;
  return u ? u.input + u.output + u.cacheCreation + u.cacheRead : 0;
}

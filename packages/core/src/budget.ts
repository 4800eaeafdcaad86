import { z } from 'zod';

/** The pipeline's stages that spend tokens, in order. */
export const BUDGET_STAGES = ['analysis', 'research', 'template', 'generation', 'validation'] as const;
export type BudgetStage = (typeof BUDGET_STAGES)[number];

/** The seed's per-agent token budgets; the total stays under 7,000. */
export const DEFAULT_BUDGETS: Record<BudgetStage, number> = {
  analysis: 800,
  research: 3000,
  template: 300,
  generation: 2000,
  validation: 800,
};

export const BudgetSchema = z.object({
  stages: z.record(z.enum(BUDGET_STAGES), z.object({ tokens: z.number().int().nonnegative(), limit: z.number().int().positive() })),
  total: z.object({ tokens: z.number().int().nonnegative(), limit: z.number().int().positive() }),
  /** Stages that spent more than their budget. */
  over: z.array(z.enum(BUDGET_STAGES)),
  /** True when every figure came from a provider's count rather than our tokenizer. */
  exact: z.boolean(),
});
export type Budget = z.infer<typeof BudgetSchema>;

/** Accounts tokens per stage against the budgets. */
export function accountBudget(
  tokens: Record<BudgetStage, number>,
  options: { budgets?: Partial<Record<BudgetStage, number>>; exact?: boolean } = {},
): Budget {
  const limits = { ...DEFAULT_BUDGETS, ...options.budgets };
  const stages = Object.fromEntries(
    BUDGET_STAGES.map((s) => [s, { tokens: Math.round(tokens[s]), limit: limits[s] }]),
  ) as Budget['stages'];
  const total = BUDGET_STAGES.reduce((sum, s) => sum + stages[s].tokens, 0);
  const limit = BUDGET_STAGES.reduce((sum, s) => sum + limits[s], 0);
  return {
    stages,
    total: { tokens: total, limit },
    over: BUDGET_STAGES.filter((s) => stages[s].tokens > stages[s].limit),
    exact: options.exact ?? false,
  };
}

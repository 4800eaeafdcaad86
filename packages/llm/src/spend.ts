import { addBilled, billedOf, type AgentResult, type BilledUsage, type GenerationResult } from '@agent-factory/core';
import { costIfPriced, type CostOptions, type ModelPrice } from './pricing.js';

/**
 * What a finished requirement was billed and at which model: the kept draft's usage, or (when the
 * offline generator's file was kept after LLM attempts) those attempts' bill, never its estimate.
 * Undefined when nothing was billed.
 */
export function billedSpend(result: Pick<AgentResult, 'usage' | 'generator' | 'billed'>): BilledUsage | undefined {
  if (result.billed) return result.billed;
  return result.generator.model === 'offline' ? undefined : { model: result.generator.model, usage: result.usage };
}

/**
 * US dollars a finished requirement's generation cost; null when its model has no price (the agent
 * is kept, its cost unknown: shown as absent, never as a misleading 0).
 */
export function resultCostUsd(result: Pick<AgentResult, 'usage' | 'generator' | 'billed'>, options: CostOptions = {}): number | null {
  const spend = billedSpend(result);
  return spend ? costIfPriced(spend.usage, spend.model, options) : 0;
}

/** What one draft's bill cost in dollars, in its mode and at realtime prices; null when its model has no price. */
export interface DraftCost {
  usd: number | null;
  realtimeUsd: number | null;
}

/**
 * A draft as a requirement's stages keep it: what the provider returned, whether a Message Batch
 * answered it, and its cost when the process that billed it priced it then (a process without the
 * prices, one that cancels a batch, counts that figure instead of pricing the draft again).
 */
export interface BilledDraft {
  draft: GenerationResult;
  batch: boolean;
  cost?: DraftCost;
}

/** What a requirement's drafts were billed, with their cost (null when a model has no price) and that cost at realtime prices. */
export interface DraftsSpend extends BilledUsage {
  /** The last billed draft came from a Message Batch (the mode the spend is counted under). */
  batch: boolean;
  costUsd: number | null;
  realtimeCostUsd: number | null;
}

const plus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

/**
 * What the drafts of a requirement that ended without an agent were billed: each draft's bill
 * (billedOf: its own usage, or the failed attempts an offline draft replaced) priced at its own
 * model and mode (or its cost as recorded when billed). Undefined when none was billed (offline drafts only, or none at all).
 */
export function draftsSpend(drafts: readonly BilledDraft[], prices?: Readonly<Record<string, ModelPrice>>): DraftsSpend | undefined {
  let spend: DraftsSpend | undefined;
  for (const { draft, batch, cost } of drafts) {
    const billed = billedOf([draft]);
    if (!billed) continue;
    const priced = (asBatch: boolean): number | null => costIfPriced(billed.usage, billed.model, { batch: asBatch, ...(prices ? { prices } : {}) });
    spend = {
      ...addBilled(spend, billed)!,
      batch,
      costUsd: plus(spend?.costUsd ?? 0, cost ? cost.usd : priced(batch)),
      realtimeCostUsd: plus(spend?.realtimeCostUsd ?? 0, cost ? cost.realtimeUsd : priced(false)),
    };
  }
  return spend;
}

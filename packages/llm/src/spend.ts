import type { AgentResult, BilledUsage } from '@agent-factory/core';
import { costIfPriced, type CostOptions } from './pricing.js';

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

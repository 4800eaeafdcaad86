import type { AgentResult } from '@agent-factory/core';
import { costIfPriced, type CostOptions } from './pricing.js';

/**
 * US dollars a finished requirement's generation cost; null when its model has no price (the agent
 * is kept, its cost unknown: shown as absent, never as a misleading 0).
 */
export function resultCostUsd(result: Pick<AgentResult, 'usage' | 'generator'>, options: CostOptions = {}): number | null {
  return costIfPriced(result.usage, result.generator.model, options);
}

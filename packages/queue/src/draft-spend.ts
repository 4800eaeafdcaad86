import type { GenerationResult } from '@agent-factory/core';
import { draftsSpend, type BilledDraft, type DraftCost, type DraftsSpend, type ModelPrice } from '@agent-factory/llm/costs';
import { BATCH_PROVIDER } from './batch-mode/context.js';
import type { DraftOutput } from './processors/outputs.js';

type Prices = Readonly<Record<string, ModelPrice>>;

/** What a draft cost at these prices, to record on it when it is billed; undefined when it billed nothing (offline). */
export function draftCost(draft: GenerationResult, batch: boolean, prices?: Prices): DraftCost | undefined {
  const spend = draftsSpend([{ draft, batch }], prices);
  return spend ? { usd: spend.costUsd, realtimeUsd: spend.realtimeCostUsd } : undefined;
}

/** A kept draft as draftsSpend counts it: its mode, and its cost as recorded when billed. */
const billedDraft = (d: DraftOutput): BilledDraft => ({ draft: d.draft, batch: d.provider === BATCH_PROVIDER, ...(d.cost ? { cost: d.cost } : {}) });

/** What these drafts were billed; a draft billed before costs were recorded on drafts is priced at `prices`. */
export function keptDraftsSpend(drafts: readonly DraftOutput[], prices?: Prices): DraftsSpend | undefined {
  return draftsSpend(drafts.map(billedDraft), prices);
}

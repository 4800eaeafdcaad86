import { draftsSpend } from '@agent-factory/llm/costs';
import { BATCH_PROVIDER } from './batch-mode/context.js';
import { cancelItem } from './items.js';
import { batchKeys } from './keys.js';
import type { Logger } from './logger.js';
import { cancelledSpendRecord } from './metrics/records.js';
import type { StageContext } from './processors/context.js';
import type { DraftOutput, StageOutputs } from './processors/outputs.js';
import type { StageJobData } from './queues.js';
import { decodeResult, encodeResult, spendFields } from './result-codec.js';
import { chargeCancelledScript } from './scripts/charge-cancelled.js';

type SpendContext = Pick<StageContext, 'conn' | 'metrics' | 'prices'>;

/** The drafts a job of an item holds: those its inputs carry, and the one it generated itself, if any. */
export function heldDrafts(inputs: Partial<StageOutputs>, own?: DraftOutput): DraftOutput[] {
  return [inputs.draft1, inputs.draft2, own].filter((d) => d !== undefined);
}

/**
 * Adds what these drafts were billed to their item's cancelled result (index.json's usage and
 * costUsd) and to the metrics (report, Prometheus), as a failed item counts its drafts (mark-failed.ts):
 * a paid call counts whatever became of the requirement. Only a cancelled result that counts no spend
 * yet is charged, and once (charge-cancelled's compare-and-set); nothing is read when no draft was billed.
 */
export async function chargeCancelled(ctx: SpendContext, data: StageJobData, drafts: readonly DraftOutput[], logger: Logger): Promise<void> {
  const spend = draftsSpend(drafts.map((d) => ({ draft: d.draft, batch: d.provider === BATCH_PROVIDER })), ctx.prices);
  if (!spend) return;
  const results = batchKeys(ctx.conn.config.prefix, data.b).results;
  const read = await ctx.conn.redis.hgetBuffer(results, data.k);
  if (!read) return;
  const stored = decodeResult(read);
  // A completed or failed result counts its own spend.
  if (stored.s !== 'cancelled' || stored.u !== undefined) return;
  const payload = ctx.metrics.payload(cancelledSpendRecord(data, spend), logger);
  if (!payload) return;
  const charged = await chargeCancelledScript.run(ctx.conn.redis, [results, ...payload.keys], [data.k, read, encodeResult({ ...stored, ...spendFields(spend.usage, spend.costUsd) }), ...payload.args]);
  if (charged !== 1) return;
  ctx.metrics.observe(payload.record);
  logger.info({ billed: spend.usage, model: spend.model }, 'cancelled requirement: its billed drafts counted');
}

/** Ends an item of a cancelled batch (a no-op when it has ended), its drafts' bill counted (chargeCancelled). */
export async function cancelWithSpend(ctx: SpendContext, data: StageJobData, drafts: readonly DraftOutput[], logger: Logger): Promise<void> {
  await cancelItem(ctx.conn, data.b, data.k);
  await chargeCancelled(ctx, data, drafts, logger);
}

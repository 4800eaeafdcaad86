import { releaseAgentClaim } from './agent-claim.js';
import { keptDraftsSpend } from './draft-spend.js';
import { ITEM_FIELDS } from './item-fields.js';
import { finalizeItem } from './items.js';
import { itemKey } from './keys.js';
import type { Logger } from './logger.js';
import { failedRecord } from './metrics/records.js';
import type { StageContext } from './processors/context.js';
import type { DraftOutput, OutputName, PlanOutput, StageOutputs } from './processors/outputs.js';
import type { StageJobData } from './queues.js';
import { spendFields } from './result-codec.js';
import { parsedJson } from './parse-json.js';

/** The outputs a failure is recorded with: the plan (its tier) and the drafts (what they were billed). */
const FAILURE_OUTPUTS = ['plan', 'draft1', 'draft2'] as const satisfies readonly OutputName[];

/**
 * What the failed item got so far and its requirement, in one read: each output the job carries,
 * else the record's (Message Batches mode keeps plans and drafts there, apart from the jobs).
 */
async function failureInputs(ctx: Pick<StageContext, 'conn'>, data: StageJobData): Promise<{ plan?: PlanOutput; drafts: DraftOutput[]; requirement?: string }> {
  const missing = FAILURE_OUTPUTS.filter((name) => data.o?.[name] === undefined);
  const [requirement, ...raw] = await ctx.conn.redis.hmget(itemKey(ctx.conn.config.prefix, data.b, data.k), ITEM_FIELDS.requirement, ...missing);
  const fromRecord = Object.fromEntries(missing.map((name, i) => [name, raw[i]]));
  const output = <K extends (typeof FAILURE_OUTPUTS)[number]>(name: K): StageOutputs[K] | undefined => data.o?.[name] ?? parsedJson<StageOutputs[K]>(fromRecord[name]);
  const plan = output('plan');
  const drafts = [output('draft1'), output('draft2')].filter((d) => d !== undefined);
  return { ...(plan ? { plan } : {}), drafts, ...(requirement ? { requirement } : {}) };
}

/**
 * The item's failure as stored for `status` and `results` (with its requirement, which `retry` runs
 * again, and what its drafts were billed: a paid call counts whatever became of the requirement),
 * and counted once in the metrics, its claim on generating the agent dropped (agent-claim.ts); a
 * no-op when the item has ended already. Throws when Redis is away or full: the caller decides who
 * tries again.
 */
export async function markFailed(ctx: Pick<StageContext, 'conn' | 'metrics' | 'prices' | 'cache' | 'agentCacheSuffix'>, data: StageJobData, reason: string, logger: Logger, retries = data.r ?? 0): Promise<void> {
  const { plan, drafts, requirement } = await failureInputs(ctx, data);
  const spend = keptDraftsSpend(drafts, ctx.prices);
  const payload = ctx.metrics.payload(failedRecord(data, reason, plan, retries, spend), logger);
  const stored = { s: 'failed' as const, e: reason, ...(requirement ? { r: requirement } : {}), ...(spend ? spendFields(spend.usage, spend.costUsd) : {}) };
  const finalized = await finalizeItem(ctx.conn, data.b, data.k, stored, payload);
  if (finalized.ended) {
    logger.warn({ reason, ...(spend ? { billed: spend.usage, model: spend.model } : {}) }, 'requirement failed');
    ctx.metrics.observe(payload?.record);
    // A waiting identical requirement generates it now (agent-claim.ts); a lost release only makes it notice later.
    await releaseAgentClaim(ctx, data, finalized.waiters).catch(() => undefined);
  }
}

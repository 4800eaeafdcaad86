import { planRequirement, RequirementSchema, type Plan } from '@agent-factory/core';
import { agentClaimStep, reusableAgent } from '../agent-claim.js';
import { analysisCacheKey } from '../cache-keys.js';
import { ITEM_FIELDS } from '../item-fields.js';
import { finalizeItem } from '../items.js';
import { cachedRecord } from '../metrics/records.js';
import { enqueuedBefore, enqueueNext, type StageHandler } from './context.js';
import type { PlanOutput } from './outputs.js';

/**
 * A plan `cache warm` stored ahead of the batch (under the key it and this stage both derive). The
 * namespace is read only while warmed, and a miss is computed here and not stored: planning (some
 * 50 µs) costs less than a Redis read, let alone keeping it there.
 */
function warmedPlan(value: unknown): Plan | undefined {
  return typeof value === 'object' && value !== null && 'analysis' in value && 'complexity' in value && 'policy' in value ? (value as Plan) : undefined;
}

/** Analyze: the plan (analysis, complexity, tools policy; warmed, or computed), or a cached agent for the same requirement. */
export const analyzeStage: StageHandler = {
  inputs: () => [],
  recordFields: () => [ITEM_FIELDS.requirement],
  // Claimed (or found) as the item is read: one command for both.
  claim: agentClaimStep,
  async run(ctx, work) {
    const { item, data } = work;
    // The requirement crosses a boundary here (written by any producer): a bad one fails for good.
    const requirement = RequirementSchema.parse(JSON.parse(item?.fields[ITEM_FIELDS.requirement] ?? 'null'));
    // Reused, or claimed for this item to generate; parks the job while another batch's item generates it.
    const cached = await reusableAgent(ctx, data, item?.useCache ?? false, requirement.requirement, item?.claim);
    if (cached) {
      const metrics = ctx.metrics.payload(cachedRecord(data, cached, work.timing), work.logger);
      if ((await finalizeItem(ctx.conn, data.b, data.k, { ...cached, h: 1 }, metrics)).ended) ctx.metrics.observe(metrics?.record);
      work.logger.debug('answered from the agents cache');
      return;
    }
    if (await enqueuedBefore(ctx.conn, 'research', work)) return;
    const t = performance.now();
    const plan = (ctx.cache && item?.useCache ? warmedPlan(await ctx.cache.getIfWarm('analysis', analysisCacheKey(requirement, ctx.pipeline))) : undefined) ?? planRequirement(requirement, ctx.pipeline);
    const output: PlanOutput = { plan, ms: performance.now() - t, at: work.timing.enqueuedAt, wait: work.timing.wait, retries: work.timing.retries };
    await enqueueNext(ctx.conn.queues, 'research', work, undefined, { plan: output });
  },
};

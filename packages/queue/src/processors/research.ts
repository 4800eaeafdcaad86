import { researchPlan } from '@agent-factory/core';
import { ITEM_FIELDS, persistOutputs } from '../items.js';
import { enqueueNext, readOutput, throwIfAborted, type StageHandler } from './context.js';
import type { PlanOutput, ResearchOutput } from './outputs.js';

/**
 * Research: docs for the plan's libraries. Caching happens a level down, per (library, topic), when
 * the docs source is wrapped in a CachedDocsSource: that is what repeats across requirements.
 */
export const researchStage: StageHandler = {
  fields: () => [ITEM_FIELDS.plan, ITEM_FIELDS.research],
  async run(ctx, work) {
    const { item, data } = work;
    if (item.fields[ITEM_FIELDS.research] === undefined) {
      const { plan } = readOutput<PlanOutput>(item, ITEM_FIELDS.plan);
      const t = performance.now();
      const research = await researchPlan(plan, ctx.docs, ctx.pipeline);
      throwIfAborted(work.signal);
      const output: ResearchOutput = { research, ms: performance.now() - t, wait: work.timing.wait, retries: work.timing.retries };
      if (!(await persistOutputs(ctx.conn, data, { [ITEM_FIELDS.research]: JSON.stringify(output) }))) return;
    }
    await enqueueNext(ctx.conn.queues, 'generate', work, 1);
  },
};

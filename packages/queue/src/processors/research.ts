import { researchPlan } from '@agent-factory/core';
import { enqueuedBefore, enqueueNext, input, throwIfAborted, type StageHandler } from './context.js';
import type { ResearchOutput } from './outputs.js';

/**
 * Research: docs for the plan's libraries. Caching happens a level down, per (library, topic), when
 * the docs source is wrapped in a CachedDocsSource: that is what repeats across requirements.
 */
export const researchStage: StageHandler = {
  inputs: () => ['plan'],
  async run(ctx, work) {
    if (await enqueuedBefore(ctx.conn, 'generate', work, 1)) return;
    const { plan } = input(work, 'plan');
    const t = performance.now();
    const research = await researchPlan(plan, ctx.docs, ctx.pipeline);
    throwIfAborted(work.signal);
    const output: ResearchOutput = { research, ms: performance.now() - t, wait: work.timing.wait, retries: work.timing.retries };
    await enqueueNext(ctx.conn.queues, 'generate', work, 1, { ...work.inputs, research: output });
  },
};

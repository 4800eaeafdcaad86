import { isOfflineFallbackError, offlineProvider, type GenerationRequest, type GenerationResult, type LlmProvider } from '@agent-factory/core';
import { ITEM_FIELDS, persistOutputs } from '../items.js';
import { enqueueNext, readOutput, throwIfAborted, type StageHandler } from './context.js';
import type { DraftOutput, PlanOutput, ResearchOutput, ReviewOutput } from './outputs.js';

/**
 * The provider's draft; when it cannot answer in time (not when it refused the request), the
 * offline generator's, marked degraded, as the in-process pipeline does.
 */
async function draftOrOffline(llm: LlmProvider, request: GenerationRequest, signal?: AbortSignal): Promise<{ draft: GenerationResult; provider: string }> {
  try {
    return { draft: await llm.generate(request, signal ? { signal } : {}), provider: llm.name };
  } catch (error) {
    if (!isOfflineFallbackError(error)) throw error;
    const draft = await offlineProvider.generate(request);
    return { draft: { ...draft, degraded: [`${llm.name}: ${error.message}; the offline generator answered`] }, provider: offlineProvider.name };
  }
}

/** Generate: one draft from the provider (attempt 2 carries the first draft's findings as guidance). */
export const generateStage: StageHandler = {
  fields: (data) => [ITEM_FIELDS.plan, ITEM_FIELDS.research, ITEM_FIELDS.review, ITEM_FIELDS.draft(data.a ?? 1)],
  async run(ctx, work) {
    const { item, data } = work;
    const attempt = data.a ?? 1;
    if (item.fields[ITEM_FIELDS.draft(attempt)] === undefined) {
      const { plan } = readOutput<PlanOutput>(item, ITEM_FIELDS.plan);
      const { research } = readOutput<ResearchOutput>(item, ITEM_FIELDS.research);
      const guidance = attempt === 2 ? readOutput<ReviewOutput>(item, ITEM_FIELDS.review).findings : undefined;
      const t = performance.now();
      const { draft, provider } = await draftOrOffline(ctx.llm, { ...plan, research, ...(guidance ? { guidance } : {}) }, work.signal);
      throwIfAborted(work.signal);
      const output: DraftOutput = { draft, provider, ms: performance.now() - t };
      const stored = await persistOutputs(ctx.conn, data, { [ITEM_FIELDS.draft(attempt)]: JSON.stringify(output), [ITEM_FIELDS.worker]: ctx.workerId });
      if (!stored) return;
      work.logger.debug({ attempt, ms: Math.round(output.ms) }, 'draft generated');
    }
    await enqueueNext(ctx.conn.queues, 'validate', work, attempt);
  },
};

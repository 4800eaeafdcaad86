import {
  isOfflineFallbackError, offlineProvider, type GenerationOptions, type GenerationProgress, type GenerationRequest, type GenerationResult, type LlmProvider,
} from '@agent-factory/core';
import { generateInMessageBatch } from '../batch-mode/register.js';
import { ITEM_FIELDS, persistOutputs } from '../items.js';
import type { LimiterGate } from '../limiter-gate.js';
import type { RateLimiter } from '../limiter.js';
import { enqueueNext, readOutput, throwIfAborted, type StageHandler, type StageWork } from './context.js';
import type { DraftOutput, PlanOutput, ResearchOutput, ReviewOutput } from './outputs.js';

/**
 * The provider's draft; when it cannot answer in time (not when it refused the request), the
 * offline generator's, marked degraded, as the in-process pipeline does.
 */
async function draftOrOffline(llm: LlmProvider, request: GenerationRequest, options: GenerateOptions): Promise<{ draft: GenerationResult; provider: string }> {
  try {
    return { draft: await llm.generate(request, options), provider: llm.name };
  } catch (error) {
    if (!isOfflineFallbackError(error)) throw error;
    const draft = await offlineProvider.generate(request);
    return { draft: { ...draft, degraded: [`${llm.name}: ${error.message}; the offline generator answered`] }, provider: offlineProvider.name };
  }
}

/** What a generate job shows in Bull Board while the model writes. */
export interface GenerateProgress extends GenerationProgress {
  stage: 'generate';
}

/** What the worker pool adds to a generate job's work (stage-worker.ts). */
export interface GenerateWork extends StageWork {
  /** The job's progress (job.updateProgress). */
  reportProgress?: (progress: GenerateProgress) => Promise<void>;
  /** The cluster-wide limiter every provider request goes through. */
  limiter?: RateLimiter;
}

/** Core's options plus the gate the Anthropic provider reads (others ignore it). */
type GenerateOptions = GenerationOptions & { gate?: LimiterGate };

/** Bull Board needs no more than four progress writes a second per job. */
export const PROGRESS_EVERY_MS = 250;

function throttledProgress(report: (progress: GenerateProgress) => Promise<void>, everyMs = PROGRESS_EVERY_MS): (progress: GenerationProgress) => void {
  let last = -Infinity;
  return ({ characters, outputTokens }) => {
    const now = performance.now();
    if (now - last < everyMs) return;
    last = now;
    // Progress is a view: a failed write must not fail the generation.
    report({ stage: 'generate', characters, outputTokens }).catch(() => undefined);
  };
}

function generateOptions(work: GenerateWork): GenerateOptions {
  return {
    ...(work.signal ? { signal: work.signal } : {}),
    ...(work.reportProgress ? { onProgress: throttledProgress(work.reportProgress) } : {}),
    ...(work.limiter ? { gate: work.limiter.gate({ batch: work.data.b, logger: work.logger }) } : {}),
  };
}

/** Generate: one draft from the provider (attempt 2 carries the first draft's findings as guidance). */
export const generateStage: StageHandler = {
  fields: (data) => [ITEM_FIELDS.plan, ITEM_FIELDS.research, ITEM_FIELDS.review, ITEM_FIELDS.draft(data.a ?? 1)],
  async run(ctx, work: GenerateWork) {
    // Batch mode: the request waits for an Anthropic Message Batch; the collector enqueues validate.
    if (await generateInMessageBatch(ctx, work)) return;
    const { item, data } = work;
    const attempt = data.a ?? 1;
    if (item.fields[ITEM_FIELDS.draft(attempt)] === undefined) {
      const { plan } = readOutput<PlanOutput>(item, ITEM_FIELDS.plan);
      const { research } = readOutput<ResearchOutput>(item, ITEM_FIELDS.research);
      const guidance = attempt === 2 ? readOutput<ReviewOutput>(item, ITEM_FIELDS.review).findings : undefined;
      const t = performance.now();
      const { draft, provider } = await draftOrOffline(ctx.llm, { ...plan, research, ...(guidance ? { guidance } : {}) }, generateOptions(work));
      throwIfAborted(work.signal);
      const output: DraftOutput = { draft, provider, ms: performance.now() - t, wait: work.timing.wait, retries: work.timing.retries };
      const stored = await persistOutputs(ctx.conn, data, { [ITEM_FIELDS.draft(attempt)]: JSON.stringify(output), [ITEM_FIELDS.worker]: ctx.workerId });
      if (!stored) return;
      work.logger.debug({ attempt, ms: Math.round(output.ms) }, 'draft generated');
    }
    await enqueueNext(ctx.conn.queues, 'validate', work, attempt);
  },
};

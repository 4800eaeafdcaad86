import {
  isOfflineFallbackError, offlineProvider, type GenerationOptions, type GenerationProgress, type GenerationRequest, type GenerationResult, type LlmProvider,
} from '@agent-factory/core';
import type { RetryEvent } from '@agent-factory/llm';
import { generateInMessageBatch } from '../batch-mode/register.js';
import type { LimiterGate } from '../limiter-gate.js';
import type { RateLimiter } from '../limiter.js';
import { enqueuedBefore, enqueueNext, input, throwIfAborted, type StageHandler, type StageWork } from './context.js';
import { inGenerationSpan } from '../tracing.js';
import { draftCost } from '../draft-spend.js';
import { draftName, type DraftOutput } from './outputs.js';

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
    // The timed-out attempts' bill travels with the draft that replaced them, apart from its estimate.
    const billed = error.usage && error.model ? { billed: { model: error.model, usage: error.usage } } : {};
    const retries = error.retries ? { retries: error.retries } : {};
    return { draft: { ...draft, ...billed, ...retries, degraded: [`${llm.name}: ${error.message}; the offline generator answered`] }, provider: offlineProvider.name };
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

/** Core's options plus what the Anthropic provider reads (others ignore it): the gate, refused-connection retries, retries to log. */
type GenerateOptions = GenerationOptions & { gate?: LimiterGate; refusedRetries?: number; onRetry?: (event: RetryEvent) => void };

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
    // The stage's own attempts (AF_ATTEMPTS, with backoff) retry a refused connection: the provider does not multiply them.
    refusedRetries: 0,
    ...(work.signal ? { signal: work.signal } : {}),
    ...(work.reportProgress ? { onProgress: throttledProgress(work.reportProgress) } : {}),
    ...(work.limiter ? { gate: work.limiter.gate({ batch: work.data.b, logger: work.logger }) } : {}),
    // On the job's logger: the line names the batch, the requirement and the stage.
    onRetry: (e) => work.logger.warn({ retry: e.retry, of: e.maxRetries, delayMs: e.delayMs, model: e.model, kind: e.error.kind, status: e.error.status }, `generation retry: ${e.error.message}`),
  };
}

/** Generate: one draft from the provider (attempt 2 carries the first draft's findings as guidance). */
export const generateStage: StageHandler = {
  inputs: (data) => (data.a === 2 ? ['plan', 'research', 'review1'] : ['plan', 'research']),
  // A draft stored in the record by the Message Batches collector; read with the item's state, so that
  // no provider call is made for an item that is final or whose batch was cancelled. The offline
  // generator has neither drafts in records nor a bill: its draft costs less CPU than that read
  // (1 of ~9 Redis commands per requirement), and validate's finalize still ends the item once.
  recordFields: (data, ctx) => (ctx.llm.name === offlineProvider.name ? [] : [draftName(data.a ?? 1)]),
  async run(ctx, work: GenerateWork) {
    // Batch mode: the request waits for an Anthropic Message Batch; the collector enqueues validate.
    if (await generateInMessageBatch(ctx, work)) return;
    const attempt = work.data.a ?? 1;
    const name = draftName(attempt);
    // Stored in the record already: validate reads it from there.
    if (work.item?.fields[name] !== undefined) return enqueueNext(ctx.conn.queues, 'validate', work, attempt, work.inputs);
    if (await enqueuedBefore(ctx.conn, 'validate', work, attempt)) return;
    const { plan } = input(work, 'plan');
    const { research } = input(work, 'research');
    const guidance = attempt === 2 ? input(work, 'review1').findings : undefined;
    const t = performance.now();
    const writeDraft = () => draftOrOffline(ctx.llm, { ...plan, research, ...(guidance ? { guidance } : {}) }, generateOptions(work));
    const { draft, provider } = await (ctx.conn.telemetry ? inGenerationSpan(ctx.llm.name, writeDraft) : writeDraft());
    // Job retries, plus the provider retries of earlier runs that ended in an error (this run's are on the draft).
    const cost = draftCost(draft, false, ctx.prices);
    const output: DraftOutput = { draft, provider, ms: performance.now() - t, wait: work.timing.wait, retries: work.timing.retries + (work.data.r ?? 0), worker: ctx.workerId, ...(cost ? { cost } : {}) };
    // Billed already: a cancel that comes now still counts the draft's bill (cancelled-spend.ts).
    throwIfAborted(work.signal, output);
    work.logger.debug({ attempt, ms: Math.round(output.ms) }, 'draft generated');
    await enqueueNext(ctx.conn.queues, 'validate', work, attempt, { ...work.inputs, [name]: output });
  },
};

import type Anthropic from '@anthropic-ai/sdk';
import {
  addUsage, OfflineFallbackError, withProviderRetries, type GenerationOptions, type GenerationRequest, type GenerationResult, type LlmProvider, type Tier, type Usage,
} from '@agent-factory/core';
import { clampAgentFile } from './clamp.js';
import { AnthropicSettingsSchema, generationModels, type AnthropicSettings, type AnthropicSettingsInput } from './config.js';
import { classifyError, isRefusedConnection, ProviderError } from './errors.js';
import type { AnthropicGenerationOptions, RequestPermit } from './gate.js';
import { cutOffReason, maxTokensFor } from './max-tokens.js';
import { costIfPriced } from './pricing.js';
import { buildPrompt, promptTokens, type Prompt, type ResearchLevel } from './prompt.js';
import { prefixReport, prefixVariantFor, type PrefixReport } from './prompt-prefix.js';
import { anthropicClient, isSdkError } from './sdk.js';
import { backoffMs, sleep } from './retry.js';
import { NO_USAGE, usageFromApi } from './usage.js';

/** One retry of a transient fault, as the job log shows it. */
export interface RetryEvent {
  /** 1 for the first retry. */
  retry: number;
  maxRetries: number;
  delayMs: number;
  model: string;
  error: ProviderError;
}

/** One Messages API request, finished or failed, with exactly what it used. */
export interface RequestRecord {
  model: string;
  ok: boolean;
  usage: Usage;
  /** null when the model has no price: the answer is kept, its cost unknown. */
  costUsd: number | null;
  ms: number;
  error?: ProviderError;
}

export interface ProviderStats {
  requests: number;
  failedRequests: number;
  retries: number;
  /** Generations that gave something up (smaller research, another model) or fell back to offline. */
  degraded: number;
  /** Answers the policy had to correct (tools, permissionMode, model, name). */
  clamped: number;
  usage: Usage;
  /** The priced requests' cost; requests of a model without a price are counted in unpricedRequests. */
  costUsd: number;
  unpricedRequests: number;
}

export interface AnthropicProviderOptions extends AnthropicSettingsInput {
  onRetry?: (event: RetryEvent) => void;
  onRequest?: (record: RequestRecord) => void;
  /** Policy corrections of one answer, for logs. */
  onClamp?: (changes: string[], model: string) => void;
  /** A billed request of a model the price table lacks (kept; its cost unknown), for a log warning. */
  onUnpriced?: (model: string) => void;
  /** Jitter source (tests). */
  random?: () => number;
}

export interface AnthropicProvider extends LlmProvider {
  readonly name: 'anthropic';
  readonly settings: AnthropicSettings;
  /** The generation model of each tier. */
  readonly models: Readonly<Record<Tier, string>>;
  stats(): ProviderStats;
  /** The cached prefix of each configured model and whether it reaches the model's cache minimum. */
  prefixes(): PrefixReport[];
  /** `gate` (a rate limiter) admits every request, retries included, and settles it after. */
  generate(request: GenerationRequest, options?: AnthropicGenerationOptions): Promise<GenerationResult>;
}

interface Answer {
  text: string;
  usage: Usage;
  /** The API's stop_reason: `max_tokens` means the answer was cut off. */
  stopReason: string | null;
}

/** The response headers of the request in flight (rate-limit headers for the gate), when any arrived. */
interface Seen {
  headers?: Pick<Headers, 'get'>;
  at?: number;
}

/** Where a generation stands on the prompt-too-long ladder: full research → reduced → none → the simple tier's model. */
interface Attempt {
  model: string;
  research: ResearchLevel;
  compact: boolean;
}

/**
 * The next rung after the API said the prompt is too long, and what the result should say about it;
 * undefined when nothing smaller is left.
 */
function shrink(at: Attempt, request: GenerationRequest, simpleModel: string): { next: Attempt; reason: string } | undefined {
  const libraries = request.research.libraries.length;
  if (at.research === 'full' && libraries > 1) {
    return { next: { ...at, research: 'reduced' }, reason: `prompt too long for ${at.model}: research reduced to ${Math.ceil(libraries / 2)} of ${libraries} libraries` };
  }
  if (at.research !== 'none' && libraries > 0) return { next: { ...at, research: 'none' }, reason: `prompt too long for ${at.model}: research left out` };
  if (!at.compact) {
    return { next: { model: simpleModel, research: 'none', compact: true }, reason: `prompt too long for ${at.model}: generated with the simple tier's model ${simpleModel} and the compact prompt` };
  }
  return undefined;
}

/**
 * The Anthropic provider: streamed Messages API calls with a cached prompt prefix, our own visible
 * retries (the SDK's are off), exact usage per request, and the model's answer clamped to the policy.
 */
export function createAnthropicProvider(options: AnthropicProviderOptions): AnthropicProvider {
  const { onRetry, onRequest, onClamp, onUnpriced, random = Math.random, ...input } = options;
  const settings = AnthropicSettingsSchema.parse(input);
  const models = generationModels(settings.models);
  let client: Promise<Anthropic> | undefined;
  const clientOf = (): Promise<Anthropic> => (client ??= anthropicClient(settings));
  const totals: ProviderStats = { requests: 0, failedRequests: 0, retries: 0, degraded: 0, clamped: 0, usage: NO_USAGE, costUsd: 0, unpricedRequests: 0 };

  function record(model: string, usage: Usage, started: number, error?: ProviderError): void {
    // Never throws: the answer is paid for already, so a missing price must not cost it (and a retry).
    const costUsd = costIfPriced(usage, model, settings.prices ? { prices: settings.prices } : {});
    totals.requests++;
    if (error) totals.failedRequests++;
    totals.usage = addUsage(totals.usage, usage);
    if (costUsd === null) {
      totals.unpricedRequests++;
      onUnpriced?.(model);
    } else {
      totals.costUsd += costUsd;
    }
    onRequest?.({ model, ok: !error, usage, costUsd, ms: performance.now() - started, ...(error ? { error } : {}) });
  }

  /** One streamed request; its usage goes to `spent` when it completes. */
  async function streamOnce(model: string, maxTokens: number, prompt: Prompt, generation: GenerationOptions, spent: (u: Usage) => void, seen: Seen): Promise<Answer> {
    const started = performance.now();
    const controller = new AbortController();
    let timedOut = false;
    // The SDK's timeout covers the response headers only; this one covers the whole stream.
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, settings.timeoutMs);
    const onAbort = (): void => controller.abort();
    if (generation.signal?.aborted) controller.abort();
    generation.signal?.addEventListener('abort', onAbort, { once: true });
    let outputTokens: number | undefined;
    let characters = 0;
    try {
      const stream = (await clientOf()).messages.stream(
        { model, max_tokens: maxTokens, system: prompt.system, messages: prompt.messages },
        { signal: controller.signal },
      );
      stream.on('connect', () => {
        if (stream.response) Object.assign(seen, { headers: stream.response.headers, at: Date.now() });
      });
      stream.on('streamEvent', (event) => {
        if (event.type === 'message_delta') outputTokens = event.usage.output_tokens;
      });
      stream.on('text', (delta) => {
        characters += delta.length;
        // Until message_delta reports the count, about four characters a token.
        generation.onProgress?.({ characters, outputTokens: outputTokens ?? Math.ceil(characters / 4) });
      });
      const message = await stream.finalMessage();
      const usage = usageFromApi(message.usage);
      spent(usage);
      record(model, usage, started);
      const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
      return { text, usage, stopReason: message.stop_reason };
    } catch (caught) {
      // An error status carries its own headers (a 429's retry-after and remaining counts).
      if (isSdkError(caught, 'APIError') && caught.status !== undefined && caught.headers) Object.assign(seen, { headers: caught.headers, at: Date.now() });
      const error = timedOut
        ? new ProviderError('timeout', `no complete answer within ${settings.timeoutMs} ms`, { cause: caught })
        : generation.signal?.aborted
          ? new ProviderError('aborted', 'the generation was aborted', { cause: caught })
          : classifyError(caught);
      // A reply cut before message_stop is not billed (the simulator's ledger books nothing for it either).
      record(model, NO_USAGE, started, error);
      throw error;
    } finally {
      clearTimeout(timer);
      generation.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** One generation; `tally` keeps its retries for the error that may end it. */
  async function generateCounted(request: GenerationRequest, generation: AnthropicGenerationOptions, tally: { retries: number }): Promise<GenerationResult> {
    let at: Attempt = { model: models[request.complexity.tier], research: 'full', compact: false };
    const degraded: string[] = [];
    let usage: Usage = NO_USAGE;
    const spent = (u: Usage): void => {
      usage = addUsage(usage, u);
    };
    const maxTokens = maxTokensFor(request.complexity.tier, settings.maxTokens);
    for (;;) {
      const prompt = buildPrompt(request, { variant: at.compact ? 'compact' : prefixVariantFor(at.model), research: at.research, cacheResearch: settings.cacheResearch });
      // The gate may wait (limits) or throw (the job goes back to the queue): either passes through unchanged.
      const permit: RequestPermit | undefined = await generation.gate?.acquire({ model: at.model, inputTokens: promptTokens(prompt), maxTokens }, generation.signal);
      const seen: Seen = {};
      const headers = (): { headers?: Pick<Headers, 'get'>; headersAt?: number } => (seen.headers ? { headers: seen.headers, ...(seen.at !== undefined ? { headersAt: seen.at } : {}) } : {});
      let answer: Answer;
      try {
        answer = await streamOnce(at.model, maxTokens, prompt, generation, spent, seen);
      } catch (caught) {
        const error = caught instanceof ProviderError ? caught : classifyError(caught);
        // Settled before any retry here: the gate may take over (a 429 pauses every worker instead).
        await permit?.release({ usage: NO_USAGE, error, ...headers() });
        if (error.kind === 'aborted') throw generation.signal?.reason ?? error;
        if (error.kind === 'prompt_too_long') {
          const step = shrink(at, request, models.simple);
          if (!step) throw error;
          degraded.push(step.reason);
          at = step.next;
          continue;
        }
        const retryLimit = generation.refusedRetries !== undefined && isRefusedConnection(error) ? Math.min(generation.refusedRetries, settings.maxRetries) : settings.maxRetries;
        if (error.transient && tally.retries < retryLimit) {
          tally.retries++;
          totals.retries++;
          const delayMs = backoffMs(tally.retries, { baseMs: settings.retryBaseMs, maxMs: settings.retryMaxMs, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}) }, random);
          (generation.onRetry ?? onRetry)?.({ retry: tally.retries, maxRetries: settings.maxRetries, delayMs, model: at.model, error });
          await sleep(delayMs, generation.signal);
          continue;
        }
        if (error.kind === 'timeout') {
          // DESIGN: a generation that cannot finish in time is answered by the offline generator.
          totals.degraded++;
          throw new OfflineFallbackError(`generation timed out (${tally.retries + 1} attempts of ${settings.timeoutMs} ms)`, { usage, model: at.model, retries: tally.retries, cause: error });
        }
        if (!error.transient) throw error;
        throw new ProviderError(error.kind, `${error.message} (still failing after ${tally.retries} retries)`, {
          ...(error.status !== undefined ? { status: error.status } : {}),
          ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
          cause: error,
        });
      }
      await permit?.release({ usage: answer.usage, ...headers() });
      if (answer.stopReason === 'max_tokens') {
        // A cut-off file fails the gates, and the same request would be cut off again: the offline
        // generator answers at once, and the reason says what to change.
        totals.degraded++;
        throw new OfflineFallbackError(cutOffReason(request.complexity.tier, settings.maxTokens), { usage, model: at.model, retries: tally.retries });
      }
      // Whatever the model wrote, the policy decides tools, permissionMode, model and name.
      const { content, changes, rewritten } = clampAgentFile(answer.text, request);
      if (rewritten && changes.length > 0) {
        totals.clamped++;
        onClamp?.(changes, at.model);
      }
      if (degraded.length > 0) totals.degraded++;
      return { content, usage, model: at.model, ...(tally.retries > 0 ? { retries: tally.retries } : {}), ...(degraded.length > 0 ? { degraded } : {}) };
    }
  }

  async function generate(request: GenerationRequest, generation: AnthropicGenerationOptions = {}): Promise<GenerationResult> {
    const tally = { retries: 0 };
    try {
      return await generateCounted(request, generation, tally);
    } catch (error) {
      // The retries spent before the error still happened: the queue counts them for the item.
      // (An abort's reason may be shared by many jobs: it is left untouched.)
      throw generation.signal?.aborted ? error : withProviderRetries(error, tally.retries);
    }
  }

  return {
    name: 'anthropic',
    settings,
    models,
    generate,
    stats: () => ({ ...totals, usage: { ...totals.usage } }),
    prefixes: () => prefixReport(Object.values(models)),
  };
}

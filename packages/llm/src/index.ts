export { createAnthropicProvider, type AnthropicProvider, type AnthropicProviderOptions, type ProviderStats, type RequestRecord, type RetryEvent } from './anthropic.js';
export { clampAgentFile, extractAgentFile, type ClampResult } from './clamp.js';
export {
  AnthropicSettingsSchema, DEFAULT_GENERATION_MODELS, generationModels, llmSettingsFromEnv, parseGenerationModels, parsePrices,
  type AnthropicSettings, type AnthropicSettingsInput, type LlmSettings,
} from './config.js';
export { classifyError, isRefusedConnection, ProviderError, retryAfterMs, type ProviderErrorKind } from './errors.js';
export { cutOffReason, maxTokensFor } from './max-tokens.js';
export type { AnthropicGenerationOptions, PlannedRequest, RequestGate, RequestOutcome, RequestPermit } from './gate.js';
export {
  BATCH_MULTIPLIER, CACHE_READ_MULTIPLIER, CACHE_WRITE_1H_MULTIPLIER, CACHE_WRITE_MULTIPLIER, costIfPriced, costOf, DEFAULT_PRICES, priceOf,
  type CostOptions, type ModelPrice,
} from './pricing.js';
export { buildPrompt, PROMPT_RESEARCH_TOKENS, promptResearch, promptTokens, taskText, type Prompt, type ResearchLevel } from './prompt.js';
export {
  minCacheableTokens, PREFIX_MARGIN, prefixReport, prefixTokens, prefixVariantFor, systemPrefix, type PrefixReport, type PrefixVariant,
} from './prompt-prefix.js';
export { backoffMs } from './retry.js';
export { NO_USAGE, sumUsage, totalTokens, usageFromApi, type ApiUsage } from './usage.js';
export { billedSpend, resultCostUsd } from './spend.js';

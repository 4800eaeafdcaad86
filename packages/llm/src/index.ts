export { createAnthropicProvider, type AnthropicProvider, type AnthropicProviderOptions, type ProviderStats, type RequestRecord, type RetryEvent } from './anthropic.js';
export { clampAgentFile, extractAgentFile, type ClampResult } from './clamp.js';
export {
  AnthropicSettingsSchema, DEFAULT_GENERATION_MODELS, generationModels, llmSettingsFromEnv, parseGenerationModels, parsePrices,
  type AnthropicSettings, type AnthropicSettingsInput, type LlmSettings,
} from './config.js';
export { classifyError, isRefusedConnection, ProviderError, retryAfterMs, type ProviderErrorKind } from './errors.js';
export { cutOffReason, maxTokensFor } from './max-tokens.js';
export type { AnthropicGenerationOptions, PlannedRequest, RequestGate, RequestOutcome, RequestPermit } from './gate.js';
export * from './costs.js';
export { buildPrompt, PROMPT_RESEARCH_TOKENS, promptResearch, promptTokens, taskText, type Prompt, type ResearchLevel } from './prompt.js';
export {
  minCacheableTokens, PREFIX_MARGIN, prefixReport, prefixTokens, prefixVariantFor, systemPrefix, type PrefixReport, type PrefixVariant,
} from './prompt-prefix.js';
export { backoffMs } from './retry.js';
export { anthropicClient, isSdkError, type ClientSettings, type SdkErrorName } from './sdk.js';
export { NO_USAGE, sumUsage, totalTokens, usageFromApi, type ApiUsage } from './usage.js';

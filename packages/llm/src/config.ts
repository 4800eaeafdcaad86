import { TierSchema, type Tier } from '@agent-factory/core';
import { z } from 'zod';
import { priceOf } from './pricing.js';

/** The generation model per tier when config says nothing (DESIGN: Haiku for simple, Sonnet otherwise). */
export const DEFAULT_GENERATION_MODELS: Readonly<Record<Tier, string>> = {
  simple: 'claude-haiku-4-5',
  standard: 'claude-sonnet-4-6',
  complex: 'claude-sonnet-4-6',
};

/** An API model id: an alias such as `claude-sonnet-4-6` or a dated full id. */
export const GenerationModelSchema = z.string().regex(/^claude-[a-z0-9][a-z0-9.-]*$/, 'a Claude model id such as claude-sonnet-4-6');

export const ModelPriceSchema = z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() });

/**
 * The generation settings besides the key: what the anthropic provider runs with. Every process checks
 * them from the environment whichever provider it runs (llmSettingsFromEnv), so a fleet never carries a
 * broken value until someone switches to anthropic.
 */
const generationShape = {
  baseURL: z.url('not a URL (e.g. http://127.0.0.1:4010, where agent-factory sim listens)').optional(),
  models: z.object({ simple: GenerationModelSchema, standard: GenerationModelSchema, complex: GenerationModelSchema }).partial().default({}),
  /** Ceiling on max_tokens; each tier asks for at most what its length gate can accept (max-tokens.ts). */
  maxTokens: z.number().int().positive().default(8192),
  /** Whole-generation deadline (connect and stream), per attempt. */
  timeoutMs: z.number().int().positive().default(120_000),
  /** Retries of transient faults inside one generate call; each is reported through onRetry. */
  maxRetries: z.number().int().nonnegative().default(4),
  /** First backoff step; doubles per retry, with jitter, up to retryMaxMs. A provider's retry-after wins. */
  retryBaseMs: z.number().int().nonnegative().default(1000),
  retryMaxMs: z.number().int().nonnegative().default(60_000),
  /** USD per MTok by model id or family, over pricing.ts's defaults. */
  prices: z.record(z.string(), ModelPriceSchema).optional(),
  /**
   * Mark the research block too. Off by default: research is compressed per requirement, so the
   * block rarely repeats and a mark mostly buys a cache write at 1.25× (measured in bench/llm.ts).
   */
  cacheResearch: z.boolean().default(false),
};

/** Checked at start: a model without a price would be billed and then left out of every cost figure. */
function everyModelPriced(settings: { models: Partial<Record<Tier, string>>; prices?: Record<string, { input: number; output: number }> | undefined }, ctx: z.RefinementCtx): void {
  for (const [tier, model] of Object.entries(generationModels(settings.models))) {
    if (priceOf(model, settings.prices)) continue;
    ctx.addIssue({ code: 'custom', path: ['models', tier], message: `no price for ${model} (the ${tier} tier's generation model): add it to AF_PRICES, e.g. ${model}=3/15` });
  }
}

/** The generation settings alone (no key), as an offline process checks them. */
export const GenerationSettingsSchema = z.object(generationShape).superRefine(everyModelPriced);

/** The provider's settings, checked before the first request (callbacks live beside them, not in here). */
export const AnthropicSettingsSchema = z
  .object({ apiKey: z.string().min(1, 'an API key is required (ANTHROPIC_API_KEY)'), ...generationShape })
  .superRefine(everyModelPriced);
export type AnthropicSettingsInput = z.input<typeof AnthropicSettingsSchema>;
export type AnthropicSettings = z.output<typeof AnthropicSettingsSchema>;

/** `simple=claude-haiku-4-5,standard=claude-sonnet-4-6` (AF_GENERATION_MODELS); unknown tiers or ids are errors. */
export function parseGenerationModels(text: string): Partial<Record<Tier, string>> {
  const models: Partial<Record<Tier, string>> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [tier, model, ...rest] = pair.split('=').map((s) => s.trim());
    const t = TierSchema.safeParse(tier);
    const m = GenerationModelSchema.safeParse(model);
    if (!t.success || !m.success || rest.length > 0) throw new Error(`AF_GENERATION_MODELS: "${pair}" is not tier=model (e.g. simple=claude-haiku-4-5)`);
    models[t.data] = m.data;
  }
  return models;
}

/** `claude-sonnet-4-6=3/15,claude-haiku-4-5=1/5` (AF_PRICES, USD per MTok input/output). */
export function parsePrices(text: string): Record<string, { input: number; output: number }> {
  const prices: Record<string, { input: number; output: number }> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(claude-[a-z0-9.-]+)=(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(pair);
    if (!match?.[1] || !match[2] || !match[3]) throw new Error(`AF_PRICES: "${pair}" is not model=input/output (e.g. claude-sonnet-4-6=3/15)`);
    prices[match[1]] = { input: Number(match[2]), output: Number(match[3]) };
  }
  return prices;
}

export type LlmSettings = { provider: 'offline' } | { provider: 'anthropic'; anthropic: AnthropicSettings };

/** A whole number from `min` (AF_GENERATION_MAX_TOKENS and TIMEOUT_MS from 1, RETRIES from 0); unset or empty: undefined. */
function wholeNumber(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number${min > 0 ? ` from ${min}` : ''}, not "${raw}"`);
  return n;
}

/** The variable behind each setting, so an error names what the user wrote. */
const ENV_NAMES: Readonly<Record<string, string>> = {
  apiKey: 'ANTHROPIC_API_KEY',
  baseURL: 'ANTHROPIC_BASE_URL',
  models: 'AF_GENERATION_MODELS',
  prices: 'AF_PRICES',
  maxTokens: 'AF_GENERATION_MAX_TOKENS',
  timeoutMs: 'AF_GENERATION_TIMEOUT_MS',
  maxRetries: 'AF_GENERATION_RETRIES',
};

/**
 * The provider the environment asks for: AF_PROVIDER (`offline` | `anthropic`), defaulting to
 * anthropic when ANTHROPIC_API_KEY is set; ANTHROPIC_BASE_URL, AF_GENERATION_MODELS,
 * AF_GENERATION_MAX_TOKENS, AF_GENERATION_TIMEOUT_MS, AF_GENERATION_RETRIES, AF_PRICES.
 * Throws an Error naming the variable when a value is wrong.
 */
export function llmSettingsFromEnv(env: NodeJS.ProcessEnv): LlmSettings {
  const key = env['ANTHROPIC_API_KEY'] || undefined;
  const chosen = env['AF_PROVIDER'] || (key ? 'anthropic' : 'offline');
  if (chosen !== 'offline' && chosen !== 'anthropic') throw new Error(`AF_PROVIDER must be offline or anthropic, not "${chosen}"`);
  const input: Omit<AnthropicSettingsInput, 'apiKey'> = {
    ...(env['ANTHROPIC_BASE_URL'] ? { baseURL: env['ANTHROPIC_BASE_URL'] } : {}),
    models: parseGenerationModels(env['AF_GENERATION_MODELS'] ?? ''),
    ...(env['AF_PRICES'] ? { prices: parsePrices(env['AF_PRICES']) } : {}),
  };
  const maxTokens = wholeNumber(env, 'AF_GENERATION_MAX_TOKENS', 1);
  const timeoutMs = wholeNumber(env, 'AF_GENERATION_TIMEOUT_MS', 1);
  const maxRetries = wholeNumber(env, 'AF_GENERATION_RETRIES', 0);
  if (maxTokens !== undefined) input.maxTokens = maxTokens;
  if (timeoutMs !== undefined) input.timeoutMs = timeoutMs;
  if (maxRetries !== undefined) input.maxRetries = maxRetries;
  if (chosen === 'offline') {
    // Checked all the same (see generationShape); the offline generator uses none of it.
    checked(GenerationSettingsSchema.safeParse(input));
    return { provider: 'offline' };
  }
  if (!key) throw new Error('AF_PROVIDER=anthropic needs ANTHROPIC_API_KEY');
  return { provider: 'anthropic', anthropic: checked(AnthropicSettingsSchema.safeParse({ apiKey: key, ...input })) };
}

/** A parse's data, or an Error naming the variable of its first issue. */
function checked<T>(parsed: z.ZodSafeParseResult<T>): T {
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = String(issue?.path[0] ?? '');
  throw new Error(`${ENV_NAMES[field] ?? (issue?.path.join('.') || 'Anthropic settings')}: ${issue?.message ?? 'invalid'}`);
}

/** The generation model of each tier: config over the defaults. */
export function generationModels(models: Partial<Record<Tier, string>> = {}): Record<Tier, string> {
  return { ...DEFAULT_GENERATION_MODELS, ...models };
}

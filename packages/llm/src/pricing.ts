import type { Usage } from '@agent-factory/core';

/** US dollars per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/** Default list prices (REFERENCE: Anthropic pricing); a dated id (`claude-sonnet-4-5-20250929`) matches its family. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-sonnet-4-6': { input: 3, output: 15 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-6': { input: 5, output: 25 },
  'claude-opus-4-7': { input: 5, output: 25 },
  'claude-opus-4-8': { input: 5, output: 25 },
};

/** Multipliers on the input price: cache writes (5 min and 1 h TTL) and cache reads; batch halves everything. */
export const CACHE_WRITE_MULTIPLIER = 1.25;
export const CACHE_WRITE_1H_MULTIPLIER = 2;
export const CACHE_READ_MULTIPLIER = 0.1;
export const BATCH_MULTIPLIER = 0.5;

export interface CostOptions {
  /** Message Batches: half price. */
  batch?: boolean;
  /** The cache writes were 1-hour entries. */
  cacheTtl?: '5m' | '1h';
  /** Overrides or additions to DEFAULT_PRICES, by model id or family prefix. */
  prices?: Readonly<Record<string, ModelPrice>>;
}

/** The price of a model: an exact id first, then the longest family prefix; undefined when unknown. */
export function priceOf(model: string, prices: Readonly<Record<string, ModelPrice>> = {}): ModelPrice | undefined {
  const table = { ...DEFAULT_PRICES, ...prices };
  if (table[model]) return table[model];
  const family = Object.keys(table)
    .filter((id) => model.startsWith(`${id}-`))
    .sort((a, b) => b.length - a.length)[0];
  return family === undefined ? undefined : table[family];
}

/**
 * US dollars a generation cost: uncached input, cache writes (×1.25, ×2 for 1 h), cache reads (×0.1)
 * at the input price, output at the output price; ×0.5 in batch mode. `offline` costs nothing; an
 * unknown model is an error rather than a silent zero.
 */
export function costOf(usage: Pick<Usage, 'input' | 'output' | 'cacheCreation' | 'cacheRead'>, model: string, options: CostOptions = {}): number {
  if (model === 'offline') return 0;
  const price = priceOf(model, options.prices);
  if (!price) throw new Error(`no price for model ${model}: add it to the price table (prices option)`);
  const write = options.cacheTtl === '1h' ? CACHE_WRITE_1H_MULTIPLIER : CACHE_WRITE_MULTIPLIER;
  const input = usage.input + usage.cacheCreation * write + usage.cacheRead * CACHE_READ_MULTIPLIER;
  const dollars = (input * price.input + usage.output * price.output) / 1_000_000;
  return options.batch ? dollars * BATCH_MULTIPLIER : dollars;
}

/** The cost when the model has a price, null when it has none (a paid answer is kept, its cost unknown). */
export function costIfPriced(usage: Pick<Usage, 'input' | 'output' | 'cacheCreation' | 'cacheRead'>, model: string, options: CostOptions = {}): number | null {
  return model === 'offline' || priceOf(model, options.prices) ? costOf(usage, model, options) : null;
}

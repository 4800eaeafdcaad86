/** What the simulator knows per model family: cache minimum, output ceiling, price. */
interface ModelFacts {
  /** Shortest prefix (tokens) a cache_control breakpoint caches; shorter ones are silently not cached. */
  minCacheableTokens: number;
  /** Largest max_tokens the model takes. */
  maxOutputTokens: number;
  /** USD per million tokens. */
  inputPerMTok: number;
  outputPerMTok: number;
}

// First match wins; ids may carry a date suffix (claude-haiku-4-5-20251001).
const TABLE: Array<[RegExp, ModelFacts]> = [
  [/haiku-4-5/, { minCacheableTokens: 4096, maxOutputTokens: 64_000, inputPerMTok: 1, outputPerMTok: 5 }],
  [/haiku-3/, { minCacheableTokens: 2048, maxOutputTokens: 8_192, inputPerMTok: 0.8, outputPerMTok: 4 }],
  [/opus-4-[56]/, { minCacheableTokens: 4096, maxOutputTokens: 128_000, inputPerMTok: 5, outputPerMTok: 25 }],
  [/opus-4-7/, { minCacheableTokens: 2048, maxOutputTokens: 128_000, inputPerMTok: 5, outputPerMTok: 25 }],
  [/opus-4-8/, { minCacheableTokens: 1024, maxOutputTokens: 128_000, inputPerMTok: 5, outputPerMTok: 25 }],
  [/opus-4(?:-[01])?(?:-\d{8})?$/, { minCacheableTokens: 1024, maxOutputTokens: 32_000, inputPerMTok: 15, outputPerMTok: 75 }],
  [/sonnet-4/, { minCacheableTokens: 1024, maxOutputTokens: 64_000, inputPerMTok: 3, outputPerMTok: 15 }],
];
// Unknown (newer) Claude models: Sonnet's price and cache minimum, a generous output ceiling.
const DEFAULT_FACTS: ModelFacts = { minCacheableTokens: 1024, maxOutputTokens: 128_000, inputPerMTok: 3, outputPerMTok: 15 };

export function modelFacts(model: string): ModelFacts {
  return TABLE.find(([pattern]) => pattern.test(model))?.[1] ?? DEFAULT_FACTS;
}

/** The minimum cacheable prefix of a model (1,024 Sonnet 4.5/4.6, Opus 4.1; 4,096 Haiku 4.5, Opus 4.5/4.6). */
export function minCacheableTokens(model: string): number {
  return modelFacts(model).minCacheableTokens;
}

/** The simulator serves Claude models only; anything else is the API's 404. */
export function isKnownModel(model: string): boolean {
  return /^claude-[a-z0-9.-]+$/.test(model);
}

export interface BilledTokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation5m: number;
  cacheCreation1h: number;
}

/** USD for one reply: cache writes ×1.25 (×2 for 1 h), reads ×0.1, batch ×0.5. */
export function costUsd(model: string, t: BilledTokens, batch: boolean): number {
  const f = modelFacts(model);
  const input = t.input + t.cacheCreation5m * 1.25 + t.cacheCreation1h * 2 + t.cacheRead * 0.1;
  const usd = (input * f.inputPerMTok + t.output * f.outputPerMTok) / 1_000_000;
  return batch ? usd / 2 : usd;
}

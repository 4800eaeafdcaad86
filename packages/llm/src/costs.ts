/**
 * Prices, spend and usage: the parts of this package a producer (submit, status, results) needs to
 * read a stored result, without loading the Anthropic SDK that the rest of the package imports.
 */
export {
  BATCH_MULTIPLIER, CACHE_READ_MULTIPLIER, CACHE_WRITE_1H_MULTIPLIER, CACHE_WRITE_MULTIPLIER, costIfPriced, costOf, DEFAULT_PRICES, priceOf,
  type CostOptions, type ModelPrice,
} from './pricing.js';
export { billedSpend, draftsSpend, resultCostUsd, type BilledDraft, type DraftCost, type DraftsSpend } from './spend.js';

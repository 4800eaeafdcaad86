import { estimateTokens } from '@agent-factory/core';
import { exampleExcerpt, fullExample } from './prompt-example.js';
import { instructions, reference, tierGuide } from './prompt-rules.js';

/** `compact` reaches 1,024 tokens (Sonnet); `extended` adds examples and references to reach 4,096 (Haiku 4.5, Opus 4.5/4.6). */
export type PrefixVariant = 'compact' | 'extended';

/** Our tokenizer is not Claude's (Claude's counts run higher); aim this far past the minimum anyway. */
export const PREFIX_MARGIN = 1.1;

/**
 * The API's minimum cacheable prefix per model (REFERENCE: 1,024 Sonnet 4.5/4.6 and Opus 4.1/4/4.8;
 * 2,048 Opus 4.7; 4,096 Haiku 4.5 and Opus 4.5/4.6). Unknown models get the largest, so caching
 * never silently stops.
 */
export function minCacheableTokens(model: string): number {
  if (/^claude-(?:haiku-4-5|opus-4-5|opus-4-6)(?:-|$)/.test(model)) return 4096;
  if (/^claude-opus-4-7(?:-|$)/.test(model)) return 2048;
  if (/^claude-(?:sonnet-4-5|sonnet-4-6|sonnet-4|opus-4-1|opus-4|opus-4-8)(?:-|$)/.test(model)) return 1024;
  return 4096;
}

/** The cache minimum each variant is sized to reach, with PREFIX_MARGIN: every token past it is paid on every request. */
const VARIANT_MINIMUM: Readonly<Record<PrefixVariant, number>> = { compact: 1024, extended: 4096 };

/**
 * Instructions and the tier templates, then examples: `compact` ends with an excerpt of the standard
 * example; `extended` gives the standard and simple examples whole, the tool reference and the rules,
 * and ends with an excerpt of the complex example. The closing excerpt is cut where the prefix
 * reaches its variant's minimum with margin.
 */
function buildPrefix(variant: PrefixVariant): string {
  const target = Math.ceil(VARIANT_MINIMUM[variant] * PREFIX_MARGIN);
  const parts = [instructions(), tierGuide()];
  if (variant === 'extended') parts.push(fullExample('standard'), reference(), fullExample('simple'));
  const before = parts.join('\n\n');
  return `${before}\n\n${exampleExcerpt(variant === 'compact' ? 'standard' : 'complex', before, target)}`;
}

const prefixes = new Map<PrefixVariant, string>();

/** The stable system prefix (memoized, byte-identical across requests: that is what the cache matches). */
export function systemPrefix(variant: PrefixVariant): string {
  let text = prefixes.get(variant);
  if (text === undefined) {
    text = buildPrefix(variant);
    prefixes.set(variant, text);
  }
  return text;
}

/** Estimated tokens of a prefix variant. */
export function prefixTokens(variant: PrefixVariant): number {
  return estimateTokens(systemPrefix(variant));
}

/** The smallest prefix that reaches the model's cache minimum with margin. */
export function prefixVariantFor(model: string): PrefixVariant {
  return prefixTokens('compact') >= minCacheableTokens(model) * PREFIX_MARGIN ? 'compact' : 'extended';
}

export interface PrefixReport {
  model: string;
  variant: PrefixVariant;
  /** Estimated tokens of the cached prefix. */
  tokens: number;
  minimum: number;
  /** Whether the prefix reaches the minimum with PREFIX_MARGIN to spare. */
  cacheable: boolean;
}

/** The cached prefix each model gets and whether the API will cache it. */
export function prefixReport(models: readonly string[]): PrefixReport[] {
  return [...new Set(models)].map((model) => {
    const variant = prefixVariantFor(model);
    const tokens = prefixTokens(variant);
    const minimum = minCacheableTokens(model);
    return { model, variant, tokens, minimum, cacheable: tokens >= minimum * PREFIX_MARGIN };
  });
}

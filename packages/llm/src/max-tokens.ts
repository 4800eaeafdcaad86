import { CONTENT_LENGTH_BOUNDS, type Tier } from '@agent-factory/core';

/** The fewest characters an output token carries in an agent file (English Markdown runs about 4.5). */
const MIN_CHARS_PER_TOKEN = 3;
/** The frontmatter and the tracking line, on top of the body. */
const FRAME_CHARS = 1000;

/**
 * max_tokens for a tier: room for the longest body its length gate accepts, at most `ceiling`. The
 * API's OTPM limit takes max_tokens when a request starts and gives the unused part back only when
 * the reply ends, so tokens asked for and never needed hold rate-limit room (ours and the API's)
 * for the whole reply; an answer longer than this would fail the gate anyway.
 */
export function maxTokensFor(tier: Tier, ceiling: number): number {
  return Math.min(ceiling, Math.ceil((CONTENT_LENGTH_BOUNDS[tier].max + FRAME_CHARS) / MIN_CHARS_PER_TOKEN));
}

/**
 * Why an answer that stopped at max_tokens is unusable, and what to change: the ceiling
 * (AF_GENERATION_MAX_TOKENS) when it binds, else the tier's own limit (the model wrote too long).
 */
export function cutOffReason(tier: Tier, ceiling: number): string {
  const asked = maxTokensFor(tier, ceiling);
  const fix = ceiling < maxTokensFor(tier, Number.POSITIVE_INFINITY) ? 'raise AF_GENERATION_MAX_TOKENS' : `already the most the ${tier} tier's length gate accepts`;
  return `the answer was cut off at max_tokens (${asked}): ${fix}`;
}

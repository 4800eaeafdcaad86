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

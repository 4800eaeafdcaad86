import { estimateTokens } from '@agent-factory/core';
import { ApiError } from './errors.js';
import type { CountTokensBody } from './request-schema.js';

/** One block of the prompt in the API's cache order: tools, then system, then messages. */
export interface PromptBlock {
  /** What identifies the block's content for the cache (role and JSON without cache_control). */
  key: string;
  tokens: number;
  /** Set when the block carries cache_control: the prefix up to and including it may be cached. */
  cacheTtl?: '5m' | '1h';
}

/** An image or document travels as base64; the API bills it by pixels/pages, not characters. */
const ATTACHMENT_TOKENS = 1600;

function blockTokens(block: Record<string, unknown>): number {
  if (block['type'] === 'text' && typeof block['text'] === 'string') return estimateTokens(block['text']);
  if (block['type'] === 'image' || block['type'] === 'document') return ATTACHMENT_TOKENS;
  return estimateTokens(JSON.stringify(block));
}

function toBlock(scope: string, raw: Record<string, unknown>): PromptBlock {
  const { cache_control: cacheControl, ...rest } = raw as { cache_control?: { ttl?: '5m' | '1h' } | null };
  const block: PromptBlock = { key: `${scope}\u0000${JSON.stringify(rest)}`, tokens: blockTokens(rest) };
  if (cacheControl) block.cacheTtl = cacheControl.ttl ?? '5m';
  return block;
}

/** The prompt as blocks; every token counted with core's estimateTokens. */
export function promptBlocks(body: CountTokensBody): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  for (const tool of body.tools ?? []) blocks.push(toBlock('tool', tool));
  if (typeof body.system === 'string') blocks.push(toBlock('system', { type: 'text', text: body.system }));
  else for (const b of body.system ?? []) blocks.push(toBlock('system', b));
  body.messages.forEach((m, i) => {
    // The message index is part of the key: the same text in another turn is another prefix.
    const scope = `${i}:${m.role}`;
    if (typeof m.content === 'string') blocks.push(toBlock(scope, { type: 'text', text: m.content }));
    else for (const b of m.content) blocks.push(toBlock(scope, b));
  });
  return blocks;
}

/** Input tokens of the whole prompt, cached or not (what count_tokens answers). */
export function countTokens(blocks: PromptBlock[]): number {
  return blocks.reduce((sum, b) => sum + b.tokens, 0);
}

/** The API's cache_control rules: at most 4 breakpoints, and 1 h entries before 5 min ones. */
export function checkCacheControl(blocks: PromptBlock[]): void {
  const ttls = blocks.flatMap((b) => (b.cacheTtl ? [b.cacheTtl] : []));
  if (ttls.length > 4) throw new ApiError(400, `A maximum of 4 blocks with cache_control may be provided. Found ${ttls.length}.`);
  const firstShort = ttls.indexOf('5m');
  if (firstShort >= 0 && ttls.indexOf('1h', firstShort) > firstShort) {
    throw new ApiError(400, 'a ttl="1h" cache_control block must not come after a ttl="5m" cache_control block.');
  }
}

import { createHash, type Hash } from 'node:crypto';
import { minCacheableTokens } from './models.js';
import type { PromptBlock } from './prompt.js';

const TTL_MS = { '5m': 5 * 60_000, '1h': 60 * 60_000 } as const;

/** How one request meets the cache; `commit` makes its writes and refreshes its read. */
export interface CacheOutcome {
  /** Tokens read from the cache (the longest cached breakpoint prefix). */
  read: number;
  /** Tokens written, split by the TTL of the breakpoint that closes each written segment. */
  creation5m: number;
  creation1h: number;
  /** Tokens neither read nor written. */
  uncached: number;
  readKey?: string;
  writes: Array<{ key: string; ttlMs: number }>;
}

/**
 * Prompt caching by the API's prefix rules: each block with cache_control closes a prefix (tools,
 * system, messages, in that order); a prefix is cached only when it reaches the model's minimum;
 * a later request with the identical prefix, within the TTL, reads it and refreshes the TTL.
 */
export class PromptCache {
  /** Prefix hash → expiry time and TTL (ms). */
  private readonly entries = new Map<string, { expires: number; ttlMs: number }>();

  constructor(
    private readonly now: () => number,
    private readonly options: { enabled: boolean; minTokens?: number | undefined },
  ) {}

  /** Looks the request up without changing the cache. */
  lookup(model: string, blocks: PromptBlock[]): CacheOutcome {
    const total = blocks.reduce((sum, b) => sum + b.tokens, 0);
    const outcome: CacheOutcome = { read: 0, creation5m: 0, creation1h: 0, uncached: total, writes: [] };
    if (!this.options.enabled) return outcome;
    const min = this.options.minTokens ?? minCacheableTokens(model);
    const breakpoints: Array<{ key: string; prefix: number; ttl: '5m' | '1h' }> = [];
    let hash: Hash = createHash('sha256').update(model);
    let prefix = 0;
    for (const block of blocks) {
      hash.update(block.key).update('\u0001');
      prefix += block.tokens;
      if (block.cacheTtl) breakpoints.push({ key: hash.copy().digest('base64url'), prefix, ttl: block.cacheTtl });
    }
    const at = this.now();
    // The longest prefix still cached is read; breakpoints after it that are long enough are written.
    let readIndex = -1;
    breakpoints.forEach((bp, i) => {
      if ((this.entries.get(bp.key)?.expires ?? 0) > at) readIndex = i;
    });
    let covered = 0;
    if (readIndex >= 0) {
      const hit = breakpoints[readIndex]!;
      outcome.read = covered = hit.prefix;
      outcome.readKey = hit.key;
    }
    for (const bp of breakpoints.slice(readIndex + 1)) {
      if (bp.prefix < min) continue;
      const segment = bp.prefix - covered;
      if (bp.ttl === '1h') outcome.creation1h += segment;
      else outcome.creation5m += segment;
      covered = bp.prefix;
      outcome.writes.push({ key: bp.key, ttlMs: TTL_MS[bp.ttl] });
    }
    outcome.uncached = total - covered;
    return outcome;
  }

  /** Applies a looked-up outcome: a read refreshes its entry, writes create theirs. */
  commit(outcome: CacheOutcome): void {
    const at = this.now();
    const read = outcome.readKey === undefined ? undefined : this.entries.get(outcome.readKey);
    if (read) read.expires = at + read.ttlMs;
    for (const w of outcome.writes) this.entries.set(w.key, { expires: at + w.ttlMs, ttlMs: w.ttlMs });
    if (this.entries.size > 50_000) this.sweep(at);
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.entries.clear();
  }

  private sweep(at: number): void {
    for (const [key, entry] of this.entries) if (entry.expires <= at) this.entries.delete(key);
  }
}

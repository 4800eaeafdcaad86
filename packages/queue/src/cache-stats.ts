import type { CacheNamespace } from '@agent-factory/core';
import { duplicateComputes, type DuplicateCompute } from './cache-computes.js';
import type { RedisClient } from './connection.js';

export const CACHE_NAMESPACES: readonly CacheNamespace[] = ['analysis', 'research', 'templates', 'agents'];

/**
 * Where a lookup was answered: memory / redis are hits (callers sharing one in-process lookup count
 * as it was answered: a Redis hit for each), miss is everything else; a miss then ends as
 * computed (this caller ran compute, or stored with set() a value it made: a finished agent) or
 * waited (another caller, here or on another worker, did), and
 * stale counts the misses answered with a stale copy because compute failed (stale-while-error).
 */
export const CACHE_LAYERS = ['memory', 'redis', 'miss', 'computed', 'waited', 'stale'] as const;
export type CacheLayer = (typeof CACHE_LAYERS)[number];

export type LayerCounts = Record<CacheLayer, number>;
export interface NamespaceStats extends LayerCounts {
  /** (memory + redis) / (memory + redis + miss); 0 when there were no lookups. */
  hitRate: number;
}
export interface CacheStats {
  namespaces: Record<CacheNamespace, NamespaceStats>;
  total: NamespaceStats;
  /** Keys computed more than once within their TTL (for research: docs calls made twice for one pair). */
  duplicates: DuplicateCompute[];
}

export const statsKey = (prefix: string): string => `${prefix}:cache:stats`;

const zero = (): LayerCounts => ({ memory: 0, redis: 0, miss: 0, computed: 0, waited: 0, stale: 0 });
function withRate(c: LayerCounts): NamespaceStats {
  const hits = c.memory + c.redis;
  return { ...c, hitRate: hits + c.miss === 0 ? 0 : hits / (hits + c.miss) };
}

/** The cluster-wide counters (every worker's, as far as they have flushed; they flush every second). */
export async function cacheStats(redis: RedisClient, prefix: string): Promise<CacheStats> {
  const raw = await redis.hgetall(statsKey(prefix));
  const counts = Object.fromEntries(CACHE_NAMESPACES.map((ns) => [ns, zero()])) as Record<CacheNamespace, LayerCounts>;
  const total = zero();
  for (const [field, value] of Object.entries(raw)) {
    const [ns, layer] = field.split(':') as [CacheNamespace, CacheLayer];
    const c = counts[ns];
    if (!c || !(CACHE_LAYERS as readonly string[]).includes(layer)) continue;
    c[layer] += Number(value);
    total[layer] += Number(value);
  }
  const namespaces = Object.fromEntries(CACHE_NAMESPACES.map((ns) => [ns, withRate(counts[ns])])) as Record<CacheNamespace, NamespaceStats>;
  return { namespaces, total: withRate(total), duplicates: await duplicateComputes(redis, prefix, CACHE_NAMESPACES) };
}

/**
 * Counters kept in memory and added to Redis in one pipelined HINCRBY batch per interval, so a
 * cache hit costs no round trip. Counts a failed flush would lose are put back for the next one.
 */
export class StatsCounter {
  private pending = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
    // Counters must never keep a process alive.
    this.timer.unref();
  }

  count(ns: CacheNamespace, layer: CacheLayer): void {
    const field = `${ns}:${layer}`;
    this.pending.set(field, (this.pending.get(field) ?? 0) + 1);
  }

  /** Adds the pending counts to Redis (one flush at a time). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const entries = [...batch];
    const pipeline = this.redis.pipeline();
    for (const [field, n] of entries) pipeline.hincrby(statsKey(this.prefix), field, n);
    const putBack = (failed: readonly (readonly [string, number])[]): void => {
      for (const [field, n] of failed) this.pending.set(field, (this.pending.get(field) ?? 0) + n);
    };
    this.flushing = pipeline
      .exec()
      .then((results) => {
        // Only the increments that failed go back: the others are already counted.
        const failed = entries.filter((_, i) => !results || results[i]?.[0]);
        putBack(failed);
        if (failed.length > 0) throw new Error(`cache stats flush failed for ${failed.length} counter(s)`);
      }, (error: unknown) => {
        putBack(entries);
        throw error;
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  /** Stops the timer and flushes what is left. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

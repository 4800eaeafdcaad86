import type { CacheNamespace } from '@agent-factory/core';
import { clearChannel, computesKey, duplicatesKey, entriesPattern, failingKey, globEscape, staleKey, warmedKey } from './cache-names.js';
import { scanEach } from './cache-scan.js';
import { CACHE_LAYERS, CACHE_NAMESPACES, statsKey } from './cache-stats.js';
import type { RedisClient } from './connection.js';

/** Deletes the keys matching a pattern; keys are unlinked one by one, so they may span slots. */
async function clearMatching(redis: RedisClient, match: string): Promise<number> {
  let deleted = 0;
  await scanEach(redis, match, async (node, keys) => {
    const pipeline = node.pipeline();
    for (const key of keys) pipeline.unlink(key);
    for (const [error, n] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      deleted += Number(n);
    }
  });
  return deleted;
}

/**
 * Deletes a namespace's entries (or every namespace's) by SCAN, on each master of a Cluster, and tells
 * every worker to drop them from memory. Their stale copies, failing marks and compute counts go too
 * (what is forgotten is neither served stale nor a duplicate when fetched again), and so do the
 * namespace's hit and miss counters: kept, they described entries no longer there ("0 entries",
 * 99% hit rate), so `cache stats` counts from the last clear. In-flight locks stay. Returns the
 * count of entries deleted.
 */
export async function clearCache(redis: RedisClient, prefix: string, namespace?: CacheNamespace): Promise<number> {
  const namespaces = namespace ? [namespace] : CACHE_NAMESPACES;
  let deleted = 0;
  for (const ns of namespaces) {
    deleted += await clearMatching(redis, entriesPattern(prefix, ns));
    // The companions' patterns: the key functions with a '*' key, the rest escaped.
    for (const keyOf of [staleKey, failingKey, computesKey]) await clearMatching(redis, `${globEscape(keyOf(prefix, ns, ''))}*`);
    await redis.unlink(duplicatesKey(prefix, ns), warmedKey(prefix, ns));
    await redis.hdel(statsKey(prefix), ...CACHE_LAYERS.map((layer) => `${ns}:${layer}`));
  }
  await redis.publish(clearChannel(prefix), namespace ?? '*');
  return deleted;
}

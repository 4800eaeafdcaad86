import type { CacheNamespace } from '@agent-factory/core';
import type { Cluster, Redis } from 'ioredis';
import { clearChannel, computesKey, duplicatesKey, failingKey, globEscape, staleKey } from './cache-names.js';
import { CACHE_NAMESPACES } from './cache-stats.js';
import type { RedisClient } from './connection.js';

const isCluster = (redis: RedisClient): redis is Cluster => redis.isCluster;

/** Deletes the keys matching a pattern on one node; keys are unlinked one by one, so they may span slots. */
async function clearNode(node: Redis, match: string): Promise<number> {
  let deleted = 0;
  const stream = node.scanStream({ match, count: 1000 });
  for await (const keys of stream as AsyncIterable<string[]>) {
    if (keys.length === 0) continue;
    const pipeline = node.pipeline();
    for (const key of keys) pipeline.unlink(key);
    for (const [error, n] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      deleted += Number(n);
    }
  }
  return deleted;
}

/**
 * Deletes a namespace's entries (or every namespace's) by SCAN, on each master of a Cluster, and tells
 * every worker to drop them from memory. Their stale copies, failing marks and compute counts go too
 * (what is forgotten is neither served stale nor a duplicate when fetched again); the hit counters and
 * in-flight locks stay. Returns the count of entries deleted.
 */
export async function clearCache(redis: RedisClient, prefix: string, namespace?: CacheNamespace): Promise<number> {
  const namespaces = namespace ? [namespace] : CACHE_NAMESPACES;
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  let deleted = 0;
  for (const ns of namespaces) {
    const match = `${globEscape(prefix)}:cache:${globEscape(ns)}:*`;
    // The companions' patterns: the key functions with a '*' key, the rest escaped.
    const companions = [staleKey, failingKey, computesKey].map((keyOf) => `${globEscape(keyOf(prefix, ns, ''))}*`);
    for (const node of nodes) {
      deleted += await clearNode(node, match);
      for (const pattern of companions) await clearNode(node, pattern);
    }
    await redis.unlink(duplicatesKey(prefix, ns));
  }
  await redis.publish(clearChannel(prefix), namespace ?? '*');
  return deleted;
}

import type { CacheNamespace } from '@agent-factory/core';
import { entriesPattern } from './cache-names.js';
import { scanEach } from './cache-scan.js';
import { CACHE_NAMESPACES } from './cache-stats.js';
import type { RedisClient } from './connection.js';

/** A namespace's entries in Redis and the memory they take (exact up to SIZE_SAMPLE entries, else estimated from that many). */
export interface NamespaceSize {
  entries: number;
  bytes: number;
}

/** Entries whose MEMORY USAGE is read per namespace; the rest are counted and take their average. */
export const SIZE_SAMPLE = 200;

async function sizeOf(redis: RedisClient, prefix: string, ns: CacheNamespace): Promise<NamespaceSize> {
  let entries = 0;
  let sampled = 0;
  let sampledBytes = 0;
  await scanEach(redis, entriesPattern(prefix, ns), async (node, keys) => {
    entries += keys.length;
    const sample = keys.slice(0, SIZE_SAMPLE - sampled);
    if (sample.length === 0) return;
    const pipeline = node.pipeline();
    for (const key of sample) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    for (const [error, bytes] of (await pipeline.exec()) ?? []) {
      // A key that expired between SCAN and MEMORY USAGE answers null: it no longer counts.
      if (error || bytes === null) continue;
      sampled++;
      sampledBytes += Number(bytes);
    }
  });
  return { entries, bytes: sampled === 0 ? 0 : Math.round((sampledBytes / sampled) * entries) };
}

/**
 * What each namespace keeps in Redis, by SCAN (each master of a Cluster): what the lifetimes
 * (AF_AGENTS_TTL, AF_RESEARCH_TTL) bound, since Redis must not evict. A full scan: for the CLI, not
 * for a page that polls.
 */
export async function cacheSizes(redis: RedisClient, prefix: string): Promise<Record<CacheNamespace, NamespaceSize>> {
  const sizes = await Promise.all(CACHE_NAMESPACES.map((ns) => sizeOf(redis, prefix, ns)));
  return Object.fromEntries(CACHE_NAMESPACES.map((ns, i) => [ns, sizes[i]!])) as Record<CacheNamespace, NamespaceSize>;
}

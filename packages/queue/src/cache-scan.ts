import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './connection.js';

const isCluster = (redis: RedisClient): redis is Cluster => redis.isCluster;

/** Hands `each` every batch of keys matching a pattern, node by node (each master of a Cluster), as SCAN finds them. */
export async function scanEach(redis: RedisClient, match: string, each: (node: Redis, keys: string[]) => Promise<void>): Promise<void> {
  for (const node of isCluster(redis) ? redis.nodes('master') : [redis]) {
    for await (const keys of node.scanStream({ match, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await each(node, keys);
    }
  }
}

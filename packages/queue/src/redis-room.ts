import type { RedisClient } from './connection.js';
import { isRedisUnavailable } from './redis-client.js';
import { fullest, redisMemory, type NodeMemory } from './redis-memory.js';

/**
 * Within this much of maxmemory Redis is full for the factory: it counts the writes on their way in
 * (a submit chunk's arguments, a few hundred KB) in used memory and refuses them at the limit, so a
 * Redis that refused a submit settles back a few hundred KB under it, still refusing the next chunk.
 */
export const FULL_MARGIN_BYTES = 2 ** 20;

/**
 * The master with the least room under its maxmemory; undefined when none has one, or when INFO is
 * not allowed (managed Redis may rename it): then nothing can be said, and nothing is. A Redis that
 * does not answer is no refusal: that error is thrown.
 */
export async function tightestMaster(client: RedisClient): Promise<NodeMemory | undefined> {
  try {
    return fullest(await redisMemory(client));
  } catch (error) {
    if (isRedisUnavailable(error)) throw error;
    return undefined;
  }
}

/** Bytes left under the node's maxmemory (0 when it is over). */
export const freeBytes = (node: NodeMemory): number => Math.max(0, node.max - node.used);

/** The master that is full (within FULL_MARGIN_BYTES of its maxmemory), if one is. INFO is a read, which a full Redis answers. */
export async function fullMaster(client: RedisClient): Promise<NodeMemory | undefined> {
  const node = await tightestMaster(client);
  return node && freeBytes(node) < FULL_MARGIN_BYTES ? node : undefined;
}

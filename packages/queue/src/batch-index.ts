import type { FactoryConnection } from './connection.js';
import { batchIndexKey, batchKeys } from './keys.js';

/** Oldest index entries a submit looks at: more than a busy cluster submits between two submits. */
const PRUNE_OLDEST = 100;

/**
 * Drops batches whose retention ended from the oldest end of the batch index. Their keys expire on
 * their own, but the index entry would stay for good: a cluster that submits all day and never lists
 * would keep every batch it ever ran there, and each dashboard poll would read them all.
 */
export async function pruneBatchIndex(conn: FactoryConnection): Promise<void> {
  const { prefix } = conn.config;
  const index = batchIndexKey(prefix);
  const oldest = await conn.redis.zrange(index, 0, PRUNE_OLDEST - 1);
  if (oldest.length === 0) return;
  const pipeline = conn.redis.pipeline();
  for (const id of oldest) pipeline.exists(batchKeys(prefix, id).batch);
  const replies = (await pipeline.exec()) ?? [];
  const gone = oldest.filter((_, i) => replies[i]?.[1] === 0);
  if (gone.length > 0) await conn.redis.zrem(index, ...gone);
}

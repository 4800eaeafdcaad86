import type { FactoryConnection } from './connection.js';
import { batchKeys } from './keys.js';
import { priorityLevel, RANK_SPAN, type BatchPlace } from './priority.js';
import { STAGES } from './stages.js';

/** BullMQ 6 scores a prioritized job `priority × 2^32 + counter` (getPriorityScore.lua). */
const SCORE_UNIT = 2 ** 32;

/**
 * A new batch's rank offset: the lowest rank still waiting at its priority level on any stage
 * queue (0 when none waits), so its first item queues beside the running batches' next ones rather
 * than ahead of everything they have left. Read once at submit, one ZRANGEBYSCORE per stage (each on
 * its queue's own key, so it works on Redis Cluster); workers pay nothing. The minimum over stages,
 * because the slowest stage (usually generate) is where the batches' position is decided.
 */
export async function rankOffset(conn: FactoryConnection, batchPriority: number): Promise<number> {
  const level = priorityLevel(batchPriority);
  const low = (level * RANK_SPAN + 1) * SCORE_UNIT;
  const high = ((level + 1) * RANK_SPAN + 1) * SCORE_UNIT;
  const heads = await Promise.all(
    STAGES.map(async (stage) => {
      const [, score] = await conn.redis.zrangebyscore(conn.queues[stage].toKey('prioritized'), low, `(${high}`, 'WITHSCORES', 'LIMIT', 0, 1);
      return score === undefined ? Infinity : Math.floor(Number(score) / SCORE_UNIT) - 1 - level * RANK_SPAN;
    }),
  );
  const head = Math.min(...heads);
  return Number.isFinite(head) ? Math.min(Math.max(0, head), RANK_SPAN - 1) : 0;
}

/** A batch's place as stored at submit; a batch from before rank offsets starts at 0, as it did. */
export async function batchPlace(conn: FactoryConnection, batchId: string): Promise<BatchPlace> {
  const [priority, offset] = await conn.redis.hmget(batchKeys(conn.config.prefix, batchId).batch, 'priority', 'rankOffset');
  return { priority: Number(priority ?? 5), rankOffset: Number(offset ?? 0) };
}

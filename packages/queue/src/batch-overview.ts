import type { BatchStatus } from './batch.js';
import { getBatch } from './batches.js';
import type { FactoryConnection } from './connection.js';
import { batchIndexKey, batchKeys } from './keys.js';

/** Batch ids whose state is read per round trip while looking for the unfinished ones. */
const SCAN_PAGE = 1000;

export interface BatchOverview {
  /** Running and interrupted batches, newest first, at most `unfinishedLimit`. */
  unfinished: BatchStatus[];
  /** The newest finished batches (completed or cancelled), at most `recentLimit`. */
  recent: BatchStatus[];
  counts: {
    /** Every batch still kept in Redis. */
    total: number;
    /** Running or interrupted, listed or not. */
    unfinished: number;
    /** Unfinished ones past `unfinishedLimit`, not listed. */
    unlisted: number;
  };
}

/**
 * What the dashboard lists: a long batch still running must not drop out of view behind newer small
 * ones, so every unfinished batch comes first (up to a bound), then the newest finished ones. Reads
 * one state field per batch kept (a pipelined HGET per thousand), then the listed batches in full.
 */
export async function batchOverview(conn: FactoryConnection, options: { unfinishedLimit?: number; recentLimit?: number } = {}): Promise<BatchOverview> {
  const unfinishedLimit = options.unfinishedLimit ?? 50;
  const recentLimit = options.recentLimit ?? 10;
  const { prefix } = conn.config;
  const index = batchIndexKey(prefix);
  const total = await conn.redis.zcard(index);
  const unfinishedIds: string[] = [];
  const recentIds: string[] = [];
  let unfinished = 0;
  let kept = 0;
  const gone: string[] = [];
  for (let start = 0; start < total; start += SCAN_PAGE) {
    const ids = await conn.redis.zrevrange(index, start, start + SCAN_PAGE - 1);
    if (ids.length === 0) break;
    const pipeline = conn.redis.pipeline();
    for (const id of ids) pipeline.hget(batchKeys(prefix, id).batch, 'state');
    const states = ((await pipeline.exec()) ?? []).map(([, state]) => state as string | null);
    ids.forEach((id, i) => {
      const state = states[i];
      if (!state) return void gone.push(id); // its retention ended
      kept += 1;
      if (state === 'running' || state === 'interrupted') {
        unfinished += 1;
        if (unfinishedIds.length < unfinishedLimit) unfinishedIds.push(id);
      } else if (recentIds.length < recentLimit) recentIds.push(id);
    });
  }
  // Dropped from the index here too, or a dashboard would read every batch that ever was, at each poll.
  if (gone.length > 0) await conn.redis.zrem(index, ...gone);
  const load = async (ids: string[]): Promise<BatchStatus[]> => (await Promise.all(ids.map((id) => getBatch(conn, id)))).filter((b): b is BatchStatus => b !== undefined);
  const [listedUnfinished, recent] = await Promise.all([load(unfinishedIds), load(recentIds)]);
  return { unfinished: listedUnfinished, recent, counts: { total: kept, unfinished, unlisted: unfinished - unfinishedIds.length } };
}

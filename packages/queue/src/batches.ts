import { BatchStatusSchema, type BatchStatus, type ItemResult } from './batch.js';
import type { FactoryConnection } from './connection.js';
import { interruptIfAbandoned, interruptionReason } from './interruption.js';
import { llmBatchKeys } from './batch-mode/keys.js';
import { splitEntry } from './ids-entry.js';
import { batchIndexKey, batchKeys } from './keys.js';
import { batchUsageKey } from './limiter-keys.js';
import { metricsKeys } from './metrics/keys.js';
import { decodeResult, toItemResult, type StoredResult } from './result-codec.js';
import { deleteBatchScript } from './scripts/delete-batch.js';

/** Input ids read per round trip when streaming a batch. */
const PAGE = 1000;

function toStatus(id: string, hash: Record<string, string>): BatchStatus {
  const n = (field: string): number => Number(hash[field] ?? 0);
  return BatchStatusSchema.parse({
    id,
    name: hash['name'] ?? id,
    tenant: hash['tenant'] ?? 'default',
    priority: n('priority'),
    state: hash['state'],
    createdAt: hash['createdAt'],
    ...(hash['finishedAt'] ? { finishedAt: hash['finishedAt'] } : {}),
    inputs: n('inputs'),
    total: n('total'),
    ...(hash['expected'] !== undefined ? { expected: n('expected') } : {}),
    ...(hash['skipped'] !== undefined ? { skipped: n('skipped') } : {}),
    ...(hash['state'] === 'interrupted' ? { reason: interruptionReason(id, hash) } : {}),
    counts: { pending: Math.max(0, n('pending')), completed: n('completed'), failed: n('failed'), cancelled: n('cancelled') },
    ...(hash['webhook'] ? { webhook: { state: hash['webhookState'] ?? 'pending', ...(hash['webhookAt'] ? { at: hash['webhookAt'] } : {}), ...(hash['webhookError'] ? { error: hash['webhookError'] } : {}) } } : {}),
  });
}

/**
 * The hash of a batch as it stands: one still open (being enqueued) whose producer's lease is gone
 * is marked interrupted first, so every reader (status, --wait, the event stream) sees a dead
 * producer's batch end within one lease.
 */
async function settled(conn: FactoryConnection, batchId: string, hash: Record<string, string>): Promise<Record<string, string>> {
  if (hash['open'] === undefined || !(await interruptIfAbandoned(conn, batchId))) return hash;
  return conn.redis.hgetall(batchKeys(conn.config.prefix, batchId).batch);
}

/** A batch's status, or undefined when there is no such batch (or its retention ended). */
export async function getBatch(conn: FactoryConnection, batchId: string): Promise<BatchStatus | undefined> {
  const hash = await conn.redis.hgetall(batchKeys(conn.config.prefix, batchId).batch);
  return Object.keys(hash).length === 0 ? undefined : toStatus(batchId, await settled(conn, batchId, hash));
}

/** Batches, newest first: `limit` of them after skipping the `offset` newest. */
export async function listBatches(conn: FactoryConnection, limit = 50, offset = 0): Promise<BatchStatus[]> {
  const index = batchIndexKey(conn.config.prefix);
  const ids = await conn.redis.zrevrange(index, offset, offset + Math.max(0, limit - 1));
  const pipeline = conn.redis.pipeline();
  for (const id of ids) pipeline.hgetall(batchKeys(conn.config.prefix, id).batch);
  const replies = (await pipeline.exec()) ?? [];
  const out: BatchStatus[] = [];
  const gone: string[] = [];
  for (const [i, id] of ids.entries()) {
    const hash = replies[i]?.[1] as Record<string, string> | undefined;
    if (hash && Object.keys(hash).length > 0) out.push(toStatus(id, await settled(conn, id, hash)));
    else gone.push(id);
  }
  // Batches whose retention ended leave the index lazily.
  if (gone.length > 0) await conn.redis.zrem(index, ...gone);
  return out;
}

/** How many batches the index holds (those whose retention ended leave it when a listing meets them). */
export async function countBatches(conn: FactoryConnection): Promise<number> {
  return conn.redis.zcard(batchIndexKey(conn.config.prefix));
}

/** A page of a batch's results: skip the first `offset` input ids, then at most `limit`. */
export interface ResultsPage {
  offset?: number;
  limit?: number;
}

/** Every input id's result (or one page of them), streamed in input order. */
export async function* batchResults(conn: FactoryConnection, batchId: string, page: ResultsPage = {}): AsyncIterable<ItemResult> {
  const keys = batchKeys(conn.config.prefix, batchId);
  const first = page.offset ?? 0;
  const end = page.limit === undefined ? Infinity : first + page.limit;
  for (let start = first; start < end; start += PAGE) {
    const entries = await conn.redis.lrange(keys.ids, start, Math.min(start + PAGE, end) - 1);
    if (entries.length === 0) return;
    const pairs = entries.map(splitEntry);
    const reqKeys = [...new Set(pairs.map(([, k]) => k))];
    const blobs = await conn.redis.hmgetBuffer(keys.results, ...reqKeys);
    const stored = new Map<string, StoredResult | undefined>();
    reqKeys.forEach((k, i) => {
      const blob = blobs[i];
      stored.set(k, blob ? decodeResult(blob) : undefined);
    });
    for (const [inputId, k] of pairs) yield toItemResult(inputId, stored.get(k));
    if (entries.length < PAGE) return;
  }
}

/** What deleteBatch did: deleted it, found no such batch, or refused one whose results are not all in. */
export type DeleteOutcome = 'deleted' | 'unknown' | 'unfinished';

/**
 * Deletes a finished batch, its results and its metrics aggregate from Redis at once (`results
 * --delete`, once they are collected) instead of at the end of its retention; the minute and hour
 * metrics still count its requirements. A batch still running is refused.
 */
export async function deleteBatch(conn: FactoryConnection, batchId: string): Promise<DeleteOutcome> {
  const keys = batchKeys(conn.config.prefix, batchId);
  const { prefix } = conn.config;
  const usage = [batchUsageKey(prefix, batchId), llmBatchKeys(prefix).batchUsage(batchId)];
  const scriptKeys = [keys.batch, keys.ids, keys.results, keys.lease, keys.unjobbed, metricsKeys(prefix).batch(batchId), batchIndexKey(prefix), ...usage];
  const reply = await deleteBatchScript.run(conn.redis, scriptKeys, [batchId]);
  return reply === 1 ? 'deleted' : reply === 0 ? 'unknown' : 'unfinished';
}

import { BatchStatusSchema, type BatchStatus, type ItemResult } from './batch.js';
import { publishCancel } from './cancel.js';
import type { FactoryConnection } from './connection.js';
import { interruptIfAbandoned, interruptionReason } from './interruption.js';
import { cancelItem } from './items.js';
import { llmBatchKeys } from './batch-mode/keys.js';
import { batchIndexKey, batchKeys, itemKey } from './keys.js';
import { batchUsageKey } from './limiter-keys.js';
import { metricsKeys } from './metrics/keys.js';
import { stageJobId, type StageJobData } from './queues.js';
import { decodeResult, toItemResult, type StoredResult } from './result-codec.js';
import { deleteBatchScript } from './scripts/delete-batch.js';
import { markCancelledScript } from './scripts/mark-cancelled.js';
import type { Stage } from './stages.js';

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

/** Splits an ids-list entry `inputId\treqKey`. */
function splitEntry(entry: string): [string, string] {
  const tab = entry.lastIndexOf('\t');
  return [entry.slice(0, tab), entry.slice(tab + 1)];
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

/** Every distinct requirement key of a batch, a page at a time. */
async function* batchItemKeys(conn: FactoryConnection, batchId: string): AsyncIterable<string[]> {
  const keys = batchKeys(conn.config.prefix, batchId);
  const seen = new Set<string>();
  for (let start = 0; ; start += PAGE) {
    const entries = await conn.redis.lrange(keys.ids, start, start + PAGE - 1);
    const fresh = entries.map((e) => splitEntry(e)[1]).filter((k) => !seen.has(k) && (seen.add(k), true));
    if (fresh.length > 0) yield fresh;
    if (entries.length < PAGE) return;
  }
}

/** Every stage job an unfinished item may be waiting in: the one that exists is its current one. */
function stageJobs(batchId: string, reqKey: string): { stage: Stage; id: string }[] {
  const data = (a?: 1 | 2): StageJobData => ({ b: batchId, k: reqKey, ...(a ? { a } : {}) });
  const jobs: [Stage, StageJobData][] = [['analyze', data()], ['research', data()], ['generate', data(1)], ['validate', data(1)], ['generate', data(2)], ['validate', data(2)]];
  return jobs.map(([stage, d]) => ({ stage, id: stageJobId(stage, d) }));
}

/** Stops a running or interrupted batch: removes its queued jobs and aborts its running ones on every worker. */
export async function cancelBatch(conn: FactoryConnection, batchId: string): Promise<BatchStatus | undefined> {
  const { prefix } = conn.config;
  const keys = batchKeys(prefix, batchId);
  const state = await markCancelledScript.run(conn.redis, [keys.batch, keys.lease], [new Date().toISOString()]);
  if (state === null || state === undefined) return undefined;
  if (state !== 'cancelled') return getBatch(conn, batchId);
  // Running jobs first: every worker aborts this batch's jobs; processors also see the state.
  await publishCancel(conn, batchId);
  for await (const reqKeys of batchItemKeys(conn, batchId)) {
    // Which items are unfinished (they have a record), and which of their stage jobs exist.
    const pipeline = conn.redis.pipeline();
    const jobs = reqKeys.map((k) => stageJobs(batchId, k));
    reqKeys.forEach((k, i) => {
      pipeline.exists(itemKey(prefix, batchId, k));
      for (const { stage, id } of jobs[i]!) pipeline.exists(conn.queues[stage].toKey(id));
    });
    const replies = ((await pipeline.exec()) ?? []).map(([, n]) => n === 1);
    const per = 1 + (jobs[0]?.length ?? 0);
    await Promise.all(
      reqKeys.map(async (k, i) => {
        const [unfinished, ...exists] = replies.slice(i * per, (i + 1) * per);
        // Fails quietly for a job that is running (locked): the abort above ends it.
        if (unfinished) await Promise.all(jobs[i]!.filter((_, j) => exists[j]).map(({ stage, id }) => conn.queues[stage].remove(id).catch(() => 0)));
        return cancelItem(conn, batchId, k);
      }),
    );
  }
  return getBatch(conn, batchId);
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

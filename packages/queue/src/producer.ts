import { RequirementSchema, type Requirement } from '@agent-factory/core';
import { z } from 'zod';
import { getBatch, cancelBatch } from './batches.js';
import type { BatchStatus, BatchSubmission } from './batch.js';
import { newBatchId } from './batch-id.js';
import type { FactoryConnection } from './connection.js';
import { ITEM_FIELDS } from './items.js';
import { batchIndexKey, batchKeys, idempotencyKey, itemKey } from './keys.js';
import { jobPriority } from './priority.js';
import { stageJobId, type StageJobData } from './queues.js';
import { requirementKey } from './requirement-key.js';
import { sealBatchScript } from './scripts/seal-batch.js';

/** A checked requirement with its input id (line-derived when the input had none). */
export type BatchItemInput = Requirement & { id: string };

export interface SubmitProgress {
  enqueued: number;
}

/** Inputs per write: one pipeline of records and one addBulk. */
export const SUBMIT_CHUNK = 1000;
const MAX_CHUNKS_IN_FLIGHT = 3;

const InputSchema = RequirementSchema.extend({ id: z.string().min(1).max(200) });
const SubmissionSchema = z.object({
  name: z.string().max(200).optional(),
  tenant: z.string().max(200).optional(),
  priority: z.number().int().min(1).max(10).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
  useCache: z.boolean().optional(),
  mode: z.enum(['realtime', 'batch']).optional(),
});

/** Returns the batch an idempotency key already names, or claims the key for a new batch id. */
async function claimIdempotencyKey(conn: FactoryConnection, key: string, batchId: string): Promise<BatchStatus | undefined> {
  const redisKey = idempotencyKey(conn.config.prefix, key);
  for (let i = 0; i < 2; i++) {
    const claimed = await conn.redis.set(redisKey, batchId, 'EX', conn.config.retentionSeconds, 'NX');
    if (claimed === 'OK') return undefined;
    const existing = await conn.redis.get(redisKey);
    const batch = existing ? await getBatch(conn, existing) : undefined;
    if (batch) return batch;
    // The key outlived its batch: take it over.
    await conn.redis.del(redisKey);
  }
  throw new Error(`idempotency key ${key} is being claimed concurrently; try again`);
}

/**
 * Creates a batch and enqueues its requirements on the analyze queue with addBulk in chunks.
 * Identical requirements are enqueued once and answered for every id. Job ids are deterministic
 * from (batch, requirement). Items are streamed: 100,000 never sit in memory at once.
 */
export async function submitBatch(
  conn: FactoryConnection,
  items: AsyncIterable<BatchItemInput> | Iterable<BatchItemInput>,
  submission: BatchSubmission = {},
  onProgress?: (progress: SubmitProgress) => void,
): Promise<BatchStatus> {
  const sub = SubmissionSchema.parse(submission);
  const { prefix, retentionSeconds } = conn.config;
  const batchId = newBatchId();
  if (sub.idempotencyKey) {
    const existing = await claimIdempotencyKey(conn, sub.idempotencyKey, batchId);
    if (existing) return existing;
  }
  const keys = batchKeys(prefix, batchId);
  const priority = sub.priority ?? 5;
  const now = Date.now();
  // `open` keeps the batch from finishing while its chunks are still being enqueued.
  await conn.redis
    .multi()
    .hset(keys.batch, {
      name: sub.name ?? batchId,
      tenant: sub.tenant ?? 'default',
      priority,
      createdAt: new Date(now).toISOString(),
      state: 'running',
      open: 1,
      cache: sub.useCache === false ? 0 : 1,
      // Read by the generate stage (batch-mode/mode.ts).
      mode: sub.mode ?? 'realtime',
      inputs: 0,
      total: 0,
      pending: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    })
    .zadd(batchIndexKey(prefix), now, batchId)
    .exec();

  // Only the keys seen so far stay in memory (16 characters per distinct requirement).
  const seen = new Set<string>();
  let enqueued = 0;
  let ids: string[] = [];
  let fresh: { key: string; req: Requirement }[] = [];
  // A few chunks in flight, so reading input, Redis and BullMQ's scripts overlap.
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const flush = async (): Promise<void> => {
    if (ids.length === 0) return;
    const chunkIds = ids;
    const chunkFresh = fresh;
    const base = seen.size - chunkFresh.length;
    ids = [];
    fresh = [];
    const pipeline = conn.redis.pipeline();
    for (const { key, req } of chunkFresh) pipeline.hset(itemKey(prefix, batchId, key), ITEM_FIELDS.requirement, JSON.stringify(req));
    // Sent in chunk order on one connection, so the ids list keeps the input order.
    pipeline.rpush(keys.ids, ...chunkIds);
    // Counted before the jobs exist, so a fast worker can never see pending reach 0 early.
    pipeline.hincrby(keys.batch, 'inputs', chunkIds.length).hincrby(keys.batch, 'total', chunkFresh.length).hincrby(keys.batch, 'pending', chunkFresh.length);
    const jobs = chunkFresh.map(({ key }, i) => {
      const data: StageJobData = { b: batchId, k: key };
      return { name: 'analyze', data, opts: { jobId: stageJobId('analyze', data), priority: jobPriority(priority, base + i) } };
    });
    const written = pipeline.exec().then(async (replies) => {
      for (const [error] of replies ?? []) if (error) throw error;
      if (jobs.length > 0) await conn.queues.analyze.addBulk(jobs);
      enqueued += chunkIds.length;
      onProgress?.({ enqueued });
    });
    // Handled at once (no unhandled rejection while input is read); rethrown by the loop below.
    const tracked: Promise<void> = written
      .catch((error: unknown) => void (failure ??= { error }))
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= MAX_CHUNKS_IN_FLIGHT) await Promise.race(inFlight);
    if (failure) throw failure.error;
  };

  try {
    for await (const input of items) {
      const item = InputSchema.parse(input);
      const key = requirementKey(item);
      if (item.id.includes('\t')) throw new Error(`input id ${JSON.stringify(item.id)} contains a tab`);
      ids.push(`${item.id}\t${key}`);
      if (!seen.has(key)) {
        seen.add(key);
        fresh.push({ key, req: { requirement: item.requirement, ...(item.tier ? { tier: item.tier } : {}), ...(item.model ? { model: item.model } : {}) } });
      }
      if (ids.length >= SUBMIT_CHUNK) await flush();
    }
    await flush();
    await Promise.all(inFlight);
    if (failure) throw failure.error;
  } catch (error) {
    await Promise.all(inFlight);
    // Whatever was enqueued stops; the batch ends cancelled rather than half-submitted and open forever.
    await cancelBatch(conn, batchId).catch(() => undefined);
    await sealBatchScript.run(conn.redis, [keys.batch, keys.results, keys.ids], [retentionSeconds, new Date().toISOString()]).catch(() => undefined);
    throw error;
  }
  await sealBatchScript.run(conn.redis, [keys.batch, keys.results, keys.ids], [retentionSeconds, new Date().toISOString()]);
  const status = await getBatch(conn, batchId);
  if (!status) throw new Error(`batch ${batchId} vanished while it was submitted`);
  return status;
}

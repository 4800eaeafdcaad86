import { sleep } from '@agent-factory/core';
import { z } from 'zod';
import { getBatch } from './batches.js';
import { cancelBatch } from './cancel-batch.js';
import { SUBMIT_VIAS, WebhookUrlSchema, type BatchStatus, type BatchSubmission } from './batch.js';
import { newBatchId } from './batch-id.js';
import { pruneBatchIndex } from './batch-index.js';
import type { FactoryConnection } from './connection.js';
import { enqueueInputs, type BatchItemInput, type SubmitProgress } from './enqueue.js';
import { claimIdempotencyKey, releaseIdempotencyKey } from './idempotency.js';
import { interruptIfAbandoned } from './interruption.js';
import { batchIndexKey, batchKeys, idempotencyKey, submittingKey } from './keys.js';
import { checkBatchRoom, countDistinct } from './batch-room.js';
import { isRedisUnavailable } from './redis-client.js';
import { isRedisFullError } from './redis-memory.js';
import { rankOffset } from './rank-offset.js';
import { resumeBatch } from './resume.js';
import { sealSubmission, statusAfterSubmit } from './submit-end.js';
import { SubmitCutOffError } from './submit-cut-off.js';
import { stoppedByFullRedis } from './submit-full.js';
import { SubmitLease, SubmitLeaseLostError } from './submit-lease.js';

export { IdempotencyBusyError } from './idempotency.js';
export { SUBMIT_CHUNK, SUBMIT_CHUNKS_IN_FLIGHT, type BatchItemInput, type SubmitProgress } from './enqueue.js';

const SubmissionSchema = z.object({
  name: z.string().max(200).optional(),
  tenant: z.string().max(200).optional(),
  priority: z.number().int().min(1).max(10).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
  fingerprint: z.string().min(1).max(200).optional(),
  useCache: z.boolean().optional(),
  mode: z.enum(['realtime', 'batch']).optional(),
  expectedInputs: z.number().int().nonnegative().optional(),
  skippedInputs: z.number().int().nonnegative().optional(),
  via: z.enum(SUBMIT_VIAS).optional(),
  webhook: WebhookUrlSchema.optional(),
});

export interface SubmitRunOptions {
  /**
   * Stops the submit early (Ctrl-C): the chunks in flight complete, the batch is marked interrupted at
   * once (no wait for the lease to run out) and its status is returned.
   */
  signal?: AbortSignal;
  /** Called when the idempotency key named a batch already: what is returned is that batch (a replay), not a new one. */
  onReplay?: (batch: BatchStatus) => void;
  /**
   * Counts the distinct requirements of items that are not an array (another pass over a file), for
   * the check that the batch fits Redis (batch-room.ts) with the submission's `expectedInputs`.
   * Asked only when the batch might not fit.
   */
  countDistinct?: () => Promise<number>;
}

/** The idempotency key names a batch submitted with other requirements or settings. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
}

/**
 * The batch an idempotency key names, once its submission has ended if it can within one lease: a
 * retry comes while the first request is still being enqueued (the client timed out), or after its
 * producer died but before its lease ran out. Either way the retry should answer what happened.
 */
async function settledSubmission(conn: FactoryConnection, status: BatchStatus): Promise<BatchStatus> {
  const deadline = Date.now() + conn.config.submitLeaseMs + 1000;
  let current = status;
  while ((await conn.redis.hexists(batchKeys(conn.config.prefix, current.id).batch, 'open')) === 1 && Date.now() < deadline) {
    await sleep(100);
    current = (await getBatch(conn, current.id)) ?? current;
  }
  return current;
}

/** Checks that the batch fits Redis when its size is known before it is read: an array, or a counted file. */
function checkRoom(conn: FactoryConnection, items: AsyncIterable<BatchItemInput> | Iterable<BatchItemInput>, expected: number | undefined, options: SubmitRunOptions): Promise<void> {
  if (Array.isArray(items)) return checkBatchRoom(conn, items.length, () => countDistinct(items));
  if (expected !== undefined && options.countDistinct) return checkBatchRoom(conn, expected, options.countDistinct);
  return Promise.resolve();
}

/** A write before the batch exists, with Redis refusing it for want of memory said in words (nothing was enqueued). */
function beforeBatch<T>(conn: FactoryConnection, write: Promise<T>): Promise<T> {
  return write.catch(async (error: unknown) => {
    throw isRedisFullError(error) ? await stoppedByFullRedis(conn) : error;
  });
}

/**
 * Creates a batch and enqueues its requirements (enqueue.ts) while holding the batch's lease
 * (submit-lease.ts), then seals it. Identical requirements are enqueued once and answered for every
 * id. Should this process die before the seal, the lease runs out and the batch becomes
 * `interrupted`; `resumeBatch` finishes it, as does submitting it again with its idempotency key.
 * A batch that clearly will not fit Redis is refused first, and one that Redis refuses part way
 * (it filled up) is interrupted, to be resumed once there is room: both throw RedisFullError.
 */
export async function submitBatch(
  conn: FactoryConnection,
  items: AsyncIterable<BatchItemInput> | Iterable<BatchItemInput>,
  submission: BatchSubmission = {},
  onProgress?: (progress: SubmitProgress) => void,
  options: SubmitRunOptions = {},
): Promise<BatchStatus> {
  const sub = SubmissionSchema.parse(submission);
  const { prefix } = conn.config;
  const batchId = newBatchId();
  // Before anything of the batch is written.
  const checks = async (): Promise<void> => {
    await checkRoom(conn, items, sub.expectedInputs, options);
    await pruneBatchIndex(conn);
  };
  if (sub.idempotencyKey) {
    const claimed = await beforeBatch(conn, claimIdempotencyKey(conn, sub.idempotencyKey, batchId, checks));
    const existing = claimed && (await settledSubmission(conn, claimed));
    if (existing && sub.fingerprint !== undefined) {
      const stored = await conn.redis.hget(batchKeys(prefix, existing.id).batch, 'fingerprint');
      if (stored !== null && stored !== sub.fingerprint) {
        throw new IdempotencyConflictError(`idempotency key ${sub.idempotencyKey} names batch ${existing.id}, submitted with other requirements or settings; use a new key for a new batch`);
      }
    }
    if (existing) options.onReplay?.(existing);
    // The same request again after its producer died (a server killed mid-POST): the retry finishes it.
    if (existing?.state === 'interrupted') return (await resumeBatch(conn, existing.id, items, { ...options, ...(onProgress ? { onProgress } : {}), ...(sub.expectedInputs !== undefined ? { expectedInputs: sub.expectedInputs } : {}) })).status;
    if (existing) return existing;
  } else await checks();
  const keys = batchKeys(prefix, batchId);
  const priority = sub.priority ?? 5;
  // Stored, so a resume or a retry of the batch keeps its place.
  const place = { priority, rankOffset: await rankOffset(conn, priority) };
  const now = Date.now();
  const lease = new SubmitLease(conn, batchId);
  // `open` keeps the batch from finishing while its chunks are still being enqueued; the lease, taken
  // in the same step, says its producer is alive.
  const created = conn.redis
    .multi()
    .hset(keys.batch, {
      name: sub.name ?? batchId,
      tenant: sub.tenant ?? 'default',
      priority,
      rankOffset: place.rankOffset,
      createdAt: new Date(now).toISOString(),
      state: 'running',
      open: 1,
      cache: sub.useCache === false ? 0 : 1,
      // Read by the generate stage (batch-mode/mode.ts).
      mode: sub.mode ?? 'realtime',
      ...(sub.expectedInputs !== undefined ? { expected: sub.expectedInputs } : {}),
      ...(sub.skippedInputs ? { skipped: sub.skippedInputs } : {}),
      ...(sub.via !== undefined ? { via: sub.via } : {}),
      ...(sub.webhook !== undefined ? { webhook: sub.webhook } : {}),
      ...(sub.fingerprint !== undefined ? { fingerprint: sub.fingerprint } : {}),
      inputs: 0,
      total: 0,
      pending: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    })
    .zadd(batchIndexKey(prefix), now, batchId)
    .set(keys.lease, lease.token, 'PX', lease.ttlMs)
    .zadd(submittingKey(prefix), now + lease.ttlMs, batchId);
  // The key's claim becomes its lasting value in the same step: it names a batch that exists.
  if (sub.idempotencyKey) created.set(idempotencyKey(prefix, sub.idempotencyKey), batchId, 'EX', conn.config.retentionSeconds);
  await beforeBatch(
    conn,
    created.exec().catch(async (error: unknown) => {
      if (sub.idempotencyKey) await releaseIdempotencyKey(conn, sub.idempotencyKey, batchId).catch(() => undefined);
      throw error;
    }),
  );

  lease.start();
  try {
    const { aborted } = await enqueueInputs(conn, { batchId, place, lease }, items, { ...(onProgress ? { onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    if (aborted) await interruptIfAbandoned(conn, batchId, lease.token, 'signal');
    else await sealSubmission(conn, lease);
  } catch (error) {
    // A producer that lost its lease leaves the batch to whoever holds it now. A full Redis leaves it
    // interrupted (resumable once there is room; cancelling needs writes it refuses), and so does a
    // Redis that stayed away longer than the lease (enqueue.ts waits that long). Otherwise whatever
    // was enqueued stops: the batch ends cancelled rather than half-submitted.
    if (isRedisFullError(error)) throw await stoppedByFullRedis(conn, batchId, lease.token);
    if (isRedisUnavailable(error)) throw new SubmitCutOffError(batchId, lease.ttlMs, error);
    if (!(error instanceof SubmitLeaseLostError)) {
      await cancelBatch(conn, batchId).catch(() => undefined);
      await sealSubmission(conn, lease).catch(() => undefined);
    }
    throw error;
  } finally {
    await lease.stop();
  }
  return statusAfterSubmit(conn, batchId);
}

import type { BatchStatus } from './batch.js';
import { getBatch } from './batches.js';
import { publishCancel } from './cancel.js';
import type { FactoryConnection } from './connection.js';
import { splitEntry } from './ids-entry.js';
import { ITEM_FIELDS } from './item-fields.js';
import { CANCELLED_RESULT, cancelledMetrics } from './items.js';
import { batchKeys, cancelledDraftsKey, itemKey, webhooksDueKey } from './keys.js';
import { metricsKeys } from './metrics/keys.js';
import { stageJobId, type StageJobData } from './queues.js';
import { encodeResult } from './result-codec.js';
import { cancelItemsScript } from './scripts/cancel-items.js';
import { chargeTakenDrafts } from './cancelled-spend.js';
import { createLogger, type Logger } from './logger.js';
import { MetricsRecorder } from './metrics/recorder.js';
import { markCancelledScript } from './scripts/mark-cancelled.js';
import type { Stage } from './stages.js';
import { wakeParked } from './wake-parked.js';

/**
 * Ids-list entries ended per script call: one call blocks Redis for some milliseconds at most, and
 * other clients (the server's other requests, workers) get their turn between pages.
 */
const PAGE = 500;

/** Every stage job an unfinished item may be waiting in: analyze, research, then generate and validate per attempt. */
const CANDIDATES: [Stage, 1 | 2 | undefined][] = [['analyze', undefined], ['research', undefined], ['generate', 1], ['validate', 1], ['generate', 2], ['validate', 2]];

/**
 * Marks a running or interrupted batch cancelled and tells every worker to abort its running jobs;
 * the status afterwards, or undefined when there is no such batch. Its queued items are left to
 * dropCancelledItems.
 */
export async function markCancelled(conn: FactoryConnection, batchId: string): Promise<BatchStatus | undefined> {
  const keys = batchKeys(conn.config.prefix, batchId);
  const state = await markCancelledScript.run(conn.redis, [keys.batch, keys.lease], [new Date().toISOString()]);
  if (state === null || state === undefined) return undefined;
  // Told again on a cancel run after one that was interrupted: a worker aborts a batch's jobs once.
  if (state === 'cancelled') await publishCancel(conn, batchId);
  return getBatch(conn, batchId);
}

/** Whether a cancelled batch still has items its cancel has not ended (its cancel is under way, or was interrupted). */
export function cancelUnsettled(status: BatchStatus): boolean {
  return status.state === 'cancelled' && status.finishedAt === undefined;
}

export interface DropOptions {
  /** Stop after this many ids-list entries (a cancel interrupted part way, in tests). */
  limit?: number;
  /** Stop between pages once aborted (a server shutting down): a later cancel, or the workers, end the rest. */
  signal?: AbortSignal;
  /** Where the charges of the drafts the cancel took are logged; none by default (the CLI's output is its own). */
  logger?: Logger;
}

/**
 * Ends every unfinished item of a cancelled batch, a page at a time, removing its queued stage jobs
 * in the same step (see the cancel-items script), and wakes the jobs of other batches parked on an
 * agent one of its items had claimed (agent-claim.ts); then counts what the drafts those jobs and the
 * items' records held were billed on the cancelled results (chargeTakenDrafts: each draft carries
 * its cost, priced by the worker that billed it, so no prices are needed here). Safe to run again, or
 * alongside another run or the workers: an item already final is skipped, so a cancel that was
 * interrupted is completed by the next.
 */
export async function dropCancelledItems(conn: FactoryConnection, batchId: string, options: DropOptions = {}): Promise<void> {
  await endCancelledItems(conn, batchId, options);
  if (options.signal?.aborted) return;
  const logger = options.logger ?? createLogger({}, { level: 'silent' });
  // Not the cancel's failure: a Redis too full for the charges' writes (the cancel itself runs on one)
  // keeps the drafts where the workers' sweep charges them once there is room.
  await chargeTakenDrafts({ conn, metrics: new MetricsRecorder(conn) }, logger).catch((error: unknown) => logger.warn({ err: error, batch: batchId }, 'could not count the cancelled requirements\' billed drafts yet; the workers will'));
}

async function endCancelledItems(conn: FactoryConnection, batchId: string, options: DropOptions): Promise<void> {
  const { prefix, retentionSeconds } = conn.config;
  const keys = batchKeys(prefix, batchId);
  const metrics = metricsKeys(prefix);
  const result = encodeResult(CANCELLED_RESULT);
  const queuePrefixes = CANDIDATES.map(([stage]) => conn.queues[stage].toKey(''));
  const limit = options.limit ?? Infinity;
  for (let start = 0; start < limit && !options.signal?.aborted; start += PAGE) {
    const entries = await conn.redis.lrange(keys.ids, start, Math.min(start + PAGE, limit) - 1);
    const args = entries.flatMap((entry) => {
      const [, reqKey] = splitEntry(entry);
      const jobIds = CANDIDATES.map(([stage, a]) => stageJobId(stage, { b: batchId, k: reqKey, ...(a ? { a } : {}) } satisfies StageJobData));
      return [reqKey, itemKey(prefix, batchId, reqKey), ...cancelledMetrics(conn, batchId, reqKey).args, ...jobIds];
    });
    if (entries.length > 0) {
      const header = [new Date().toISOString(), retentionSeconds, result, batchId, ITEM_FIELDS.claimWaiters, CANDIDATES.length, ...queuePrefixes];
      const parked = (await cancelItemsScript.run(conn.redis, [keys.batch, keys.results, keys.ids, webhooksDueKey(prefix), metrics.recent, metrics.inbox, cancelledDraftsKey(prefix)], [...header, ...args])) as string[];
      // Jobs of other batches waiting for an agent an item here was to generate: they take it over now.
      await wakeParked(conn, parked);
    }
    if (entries.length < PAGE) return;
  }
}

/**
 * Stops a running or interrupted batch: aborts its running jobs on every worker, removes its queued
 * ones and ends its unfinished items as cancelled. Run on a batch already cancelled whose cancel was
 * interrupted, it finishes that cancel.
 */
export async function cancelBatch(conn: FactoryConnection, batchId: string): Promise<BatchStatus | undefined> {
  const status = await markCancelled(conn, batchId);
  if (!status || !cancelUnsettled(status)) return status;
  await dropCancelledItems(conn, batchId);
  return getBatch(conn, batchId);
}

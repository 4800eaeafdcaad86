import type { Queue } from 'bullmq';
import type { FactoryConnection } from '../connection.js';
import { batchIdOfKey, webhooksDueKey } from '../keys.js';
import type { Logger } from '../logger.js';
import { every, type Periodic } from '../periodic.js';
import { webhookJobId } from './queue.js';

/** Batches moved per round. */
const PAGE = 100;
/** How often each worker process looks at the outbox: a webhook leaves at most this long after its batch ends. */
const MOVE_EVERY_MS = 500;

/**
 * Moves the finished batches of the webhook outbox (filled by the scripts that finish a batch) to the
 * webhook queue: the job first, then the outbox entry, so a crash in between only moves it again, and
 * the job id (one per end of the batch) makes that a no-op. Returns how many it moved.
 */
export async function moveDueWebhooks(conn: FactoryConnection, queue: Queue): Promise<number> {
  const { prefix } = conn.config;
  const due = await conn.redis.zrange(webhooksDueKey(prefix), 0, PAGE - 1);
  for (const key of due) {
    const batchId = batchIdOfKey(prefix, key);
    // Gone (deleted before its webhook left): nothing to post.
    const end = Number(await conn.redis.hget(key, 'webhookEnds'));
    if (batchId && end > 0) await queue.add('deliver', { b: batchId }, { jobId: webhookJobId(batchId, end) });
    await conn.redis.zrem(webhooksDueKey(prefix), key);
  }
  return due.length;
}

/** Moves the outbox every MOVE_EVERY_MS until closed. */
export function watchWebhookOutbox(conn: FactoryConnection, queue: Queue, logger: Logger): Periodic {
  return every(MOVE_EVERY_MS, () =>
    moveDueWebhooks(conn, queue).then(
      () => undefined,
      (error: unknown) => logger.warn({ err: error }, 'could not move the webhook outbox; the next round will'),
    ),
  );
}

import { Queue } from 'bullmq';
import { BACKOFF_TYPE } from '../backoff.js';
import type { FactoryConnection } from '../connection.js';
import { KEEP_FAILED } from '../queues.js';

export const WEBHOOK_QUEUE = 'webhooks';

/**
 * Deliveries tried per batch. The jittered backoff from 2 s doubles (each wait half to all of its
 * step), so the 9 waits of 10 attempts ride out some 8½ to 17 minutes of an endpoint's downtime: a
 * deploy or a restart of the receiving service.
 */
export const WEBHOOK_ATTEMPTS = 10;

/**
 * The job of one end of a batch (the first, or the end after a resume): one job per end, whoever
 * moves it from the outbox and however often.
 */
export const webhookJobId = (batchId: string, end: number): string => `${batchId}-webhook-${end}`;

/**
 * The `webhooks` queue on the connection's client: one job per finished batch with a webhook, shown
 * in Bull Board next to the stage queues. Delivered jobs stay a day, so a batch moved from the
 * outbox twice (two workers at once) finds its job and is not posted twice.
 */
export function openWebhookQueue(conn: FactoryConnection): Queue {
  const queue = new Queue(WEBHOOK_QUEUE, {
    connection: conn.redis,
    prefix: conn.config.prefix,
    defaultJobOptions: { attempts: WEBHOOK_ATTEMPTS, backoff: { type: BACKOFF_TYPE, delay: 2000 }, removeOnComplete: { age: 24 * 3600 }, removeOnFail: KEEP_FAILED },
  });
  // Connection errors reach the callers of add(); an unhandled 'error' event would crash the process.
  queue.on('error', () => undefined);
  return queue;
}

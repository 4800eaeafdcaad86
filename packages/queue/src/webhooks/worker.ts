import { Worker } from 'bullmq';
import { z } from 'zod';
import { backoffStrategy } from '../backoff.js';
import { BatchIdSchema } from '../batch-id.js';
import type { FactoryConnection, RedisClient } from '../connection.js';
import type { Logger } from '../logger.js';
import { deliverWebhook, markWebhookFailed } from './deliver.js';
import { watchWebhookOutbox } from './outbox.js';
import { openWebhookQueue, WEBHOOK_QUEUE } from './queue.js';
import { throttledErrorLog } from '../error-log.js';

const WebhookJobSchema = z.object({ b: BatchIdSchema });

/** Webhooks posted at once per worker process: they wait on the network, not the CPU. */
const CONCURRENCY = 4;

/**
 * Every worker process delivers batch webhooks: it moves finished batches from the outbox to the
 * `webhooks` queue and posts them from there, retried with backoff; the last failure is written on
 * the batch, where `status` shows it.
 */
export async function startWebhookDelivery(conn: FactoryConnection, client: RedisClient, logger: Logger, workerId: string): Promise<{ close(): Promise<void> }> {
  const queue = openWebhookQueue(conn);
  const worker = new Worker(
    WEBHOOK_QUEUE,
    async (job) => {
      const data = WebhookJobSchema.parse(job.data);
      await deliverWebhook(conn, data.b);
      logger.info({ batch: data.b }, 'webhook delivered');
    },
    { connection: client, prefix: conn.config.prefix, name: workerId, concurrency: CONCURRENCY, lockDuration: conn.config.lockMs, settings: { backoffStrategy } },
  );
  worker.on('failed', (job, error) => {
    const data = WebhookJobSchema.safeParse(job?.data);
    if (!job || !data.success) return;
    const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    logger.warn({ batch: data.data.b, attempt: job.attemptsMade, final, reason: error.message }, final ? 'webhook failed' : 'webhook failed; retrying');
    if (final) void markWebhookFailed(conn, data.data.b, error.message).catch((e: unknown) => logger.warn({ err: e }, 'could not mark the webhook failed'));
  });
  worker.on('error', throttledErrorLog(logger, 'webhook worker error'));
  try {
    await worker.waitUntilReady();
  } catch (error) {
    await worker.close(true).catch(() => undefined);
    await queue.close().catch(() => undefined);
    throw error;
  }
  const outbox = watchWebhookOutbox(conn, queue, logger);
  return {
    async close() {
      await outbox.close();
      await worker.close();
      await queue.close();
    },
  };
}

import { createHmac } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { getBatch } from '../batches.js';
import type { FactoryConnection } from '../connection.js';
import { batchKeys } from '../keys.js';
import { postBody } from '../post-body.js';

/** How long an endpoint may take to answer before the attempt counts as failed (and is retried). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** What a batch's webhook receives: its final status, as `status --json` and `GET /api/batches/:id` show it. */
export interface WebhookBody {
  type: 'batch.finished';
  batch: Omit<NonNullable<Awaited<ReturnType<typeof getBatch>>>, 'webhook'>;
}

/** The receiver's answer is final unless the endpoint may yet take it: timeouts, rate limits and server errors are retried. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * POSTs a finished batch's status to its webhook (JSON; `idempotency-key` is the batch id, and with
 * AF_WEBHOOK_SECRET an HMAC-SHA256 signature of the body). A 2xx marks it delivered on the batch; a
 * 4xx other than 408/429 fails at once; anything else throws for BullMQ to retry.
 */
export async function deliverWebhook(conn: FactoryConnection, batchId: string, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<void> {
  const key = batchKeys(conn.config.prefix, batchId).batch;
  const url = await conn.redis.hget(key, 'webhook');
  const status = url ? await getBatch(conn, batchId) : undefined;
  if (!url || !status) throw new UnrecoverableError('the batch is gone (deleted, or its retention ended) before its webhook was delivered');
  const { webhook: _own, ...batch } = status;
  const body = JSON.stringify({ type: 'batch.finished', batch } satisfies WebhookBody);
  const headers: Record<string, string> = { 'user-agent': 'agent-factory', 'idempotency-key': batchId };
  const secret = conn.config.webhookSecret;
  if (secret) headers['x-agent-factory-signature'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  let answer: Response;
  try {
    answer = await postBody(url, body, { headers, redirect: 'manual', timeoutMs });
  } catch (error) {
    throw new Error(`webhook ${error instanceof Error ? error.message : String(error)}`);
  }
  if (answer.status >= 200 && answer.status < 300) {
    await conn.redis.hset(key, { webhookState: 'delivered', webhookAt: new Date().toISOString() });
    return;
  }
  const why = `webhook ${new URL(url).host} answered ${answer.status}`;
  throw retryable(answer.status) ? new Error(why) : new UnrecoverableError(why);
}

/** Marks a batch's webhook failed for good, with why (its last attempt's error). */
export async function markWebhookFailed(conn: FactoryConnection, batchId: string, reason: string): Promise<void> {
  const key = batchKeys(conn.config.prefix, batchId).batch;
  // Only a batch that still exists: HSET would otherwise make a new hash without a TTL.
  if (await conn.redis.exists(key)) await conn.redis.hset(key, { webhookState: 'failed', webhookAt: new Date().toISOString(), webhookError: reason });
}

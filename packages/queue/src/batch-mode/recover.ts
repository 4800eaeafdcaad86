import type { CollectorContext } from './context.js';

/** Our clock against the API's, for "created after we started creating". */
const CLOCK_SKEW_MS = 2 * 60_000;
/** Batches looked at, at most (newest first). */
const MAX_SCANNED = 5000;

/**
 * The Anthropic batch a create left behind when its answer was lost (a crash, a timeout): the only
 * unclaimed batch created since the attempt started with exactly `sent` requests. The API has no
 * idempotency key for creates, so when that is ambiguous nothing is adopted and a new batch is
 * created (the old one only costs money; its results are never applied). An adoption that guessed
 * wrong is harmless too: no result line names our members, so they go realtime.
 */
export async function findOrphanBatch(c: CollectorContext, startedAt: number, sent: number): Promise<string | undefined> {
  const since = startedAt - CLOCK_SKEW_MS;
  const candidates: string[] = [];
  let scanned = 0;
  for await (const batch of c.client.messages.batches.list({ limit: 100 })) {
    if (Date.parse(batch.created_at) < since || ++scanned > MAX_SCANNED) break;
    const n = batch.request_counts;
    if (n.processing + n.succeeded + n.errored + n.canceled + n.expired !== sent) continue;
    if ((await c.conn.redis.zscore(c.keys.claimed, batch.id)) !== null) continue;
    candidates.push(batch.id);
  }
  return candidates.length === 1 ? candidates[0] : undefined;
}

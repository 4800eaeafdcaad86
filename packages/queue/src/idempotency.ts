import { sleep } from '@agent-factory/core';
import { getBatch } from './batches.js';
import type { BatchStatus } from './batch.js';
import type { FactoryConnection } from './connection.js';
import { idempotencyKey } from './keys.js';
import { claimIdempotencyScript, releaseIdempotencyScript } from './scripts/claim-idempotency.js';

/** The value of a key claimed for a batch not yet created; once it is, the key holds the batch id. */
const CLAIMING = 'claiming:';
const POLL_MS = 50;
/** Claims lost to other requests before giving up: each loss means another request took the key, whose batch the next look finds. */
const ATTEMPTS = 5;

/** The idempotency key is held by another request that neither creates its batch nor lets the key go. */
export class IdempotencyBusyError extends Error {
  override readonly name = 'IdempotencyBusyError';
}

/** What a key holds now: the batch it names, or the stale value to take over ('' when free). */
async function look(conn: FactoryConnection, redisKey: string): Promise<{ batch: BatchStatus } | { stale: string }> {
  for (;;) {
    const held = await conn.redis.get(redisKey);
    if (held === null) return { stale: '' };
    // Another request claimed it and is creating its batch (milliseconds), or died doing so: the
    // claim's TTL (one submit lease) ends the wait either way.
    if (held.startsWith(CLAIMING)) {
      await sleep(POLL_MS);
      continue;
    }
    const batch = await getBatch(conn, held);
    // A batch deleted (or past its retention) leaves its key naming nothing: taken over.
    return batch ? { batch } : { stale: held };
  }
}

/**
 * The batch an idempotency key names, or, when it names none, the key claimed for `batchId` after
 * `beforeClaim` (the checks a new batch passes first). Requests with the same key at the same time
 * create one batch: the others wait for it and answer it. The claim lasts one submit lease, and the
 * batch's creation makes it the key's lasting value (`keepIdempotencyKey`).
 */
export async function claimIdempotencyKey(conn: FactoryConnection, key: string, batchId: string, beforeClaim: () => Promise<void>): Promise<BatchStatus | undefined> {
  const redisKey = idempotencyKey(conn.config.prefix, key);
  let checked = false;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const found = await look(conn, redisKey);
    if ('batch' in found) return found.batch;
    if (!checked) {
      await beforeClaim();
      checked = true;
    }
    if ((await claimIdempotencyScript.run(conn.redis, [redisKey], [`${CLAIMING}${batchId}`, conn.config.submitLeaseMs, found.stale])) === 1) return undefined;
  }
  throw new IdempotencyBusyError(`idempotency key ${key} is being claimed by other requests at this moment; try again`);
}

/** Gives up a claim whose batch could not be created, so the next request with the key need not wait for it to expire. */
export async function releaseIdempotencyKey(conn: FactoryConnection, key: string, batchId: string): Promise<void> {
  await releaseIdempotencyScript.run(conn.redis, [idempotencyKey(conn.config.prefix, key)], [`${CLAIMING}${batchId}`]);
}

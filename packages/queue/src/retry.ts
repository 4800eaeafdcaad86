import { randomUUID } from 'node:crypto';
import { llmBatchKeys, memberId } from './batch-mode/keys.js';
import type { FactoryConnection } from './connection.js';
import { batchKeys, itemKey } from './keys.js';
import { itemJobIds } from './queues.js';
import { requeueUnjobbed } from './requeue-unjobbed.js';
import { decodeResult } from './result-codec.js';
import { retryItemsScript } from './scripts/retry-items.js';

/** Failed items put back per retry: one atomic step; a batch with more failures is retried again once these end. */
export const RETRY_LIMIT = 10_000;

/** How long a retry holds its batch at most: a retry that died frees it after this. */
const RETRY_LOCK_MS = 120_000;

/** Items whose old jobs are removed at once (14 removals and a DEL each, pipelined on one connection). */
const REMOVE_CHUNK = 100;

/** Results read per round trip while looking for failures. */
const SCAN_PAGE = 1000;

export type RetryOutcome =
  | { outcome: 'retried'; retried: number; remaining: number }
  | { outcome: RetryRefusal };
export type RetryRefusal = 'unknown' | 'running' | 'cancelled' | 'busy';

/** Why a batch cannot be retried, in words a user can act on. */
export function retryRefusal(refusal: RetryRefusal, batchId: string): string {
  if (refusal === 'unknown') return `no batch ${batchId} (unknown, or its retention ended)`;
  if (refusal === 'running') return `batch ${batchId} is still running; retry it once it has ended`;
  if (refusal === 'busy') return `another retry of batch ${batchId} is under way; try again once it has queued its requirements`;
  return `batch ${batchId} was cancelled; submit its requirements again instead`;
}

interface Failed {
  key: string;
  result: Buffer;
  requirement: string;
}

/** The batch's failed items that kept their requirement (failures before that was kept cannot be retried). */
async function failedItems(conn: FactoryConnection, resultsKey: string): Promise<Failed[]> {
  const items: Failed[] = [];
  let cursor = '0';
  do {
    const [next, flat] = await conn.redis.hscanBuffer(resultsKey, cursor, 'COUNT', SCAN_PAGE);
    cursor = next.toString();
    for (let i = 0; i < flat.length; i += 2) {
      const result = flat[i + 1]!;
      const stored = decodeResult(result);
      if (stored.s === 'failed' && stored.r) items.push({ key: flat[i]!.toString(), result, requirement: stored.r });
    }
  } while (cursor !== '0');
  return items;
}

/**
 * Runs a finished batch's failed requirements again (`retry`): their stage jobs from the failed run
 * are removed (job ids are per requirement, so new jobs could not be added beside them), the items
 * are reset in one step (retry-items script), and their analyze jobs added, one retry of a batch at a
 * time. The batch then runs and ends as any batch does, its webhook posted again. A retry that died
 * midway is finished by the next.
 */
export async function retryBatch(conn: FactoryConnection, batchId: string): Promise<RetryOutcome> {
  const keys = batchKeys(conn.config.prefix, batchId);
  // One retry at a time: another could otherwise remove the jobs this one has just added.
  const token = randomUUID();
  if ((await conn.redis.set(keys.retry, token, 'PX', RETRY_LOCK_MS, 'NX')) !== 'OK') return { outcome: 'busy' };
  try {
    return await retryUnderLock(conn, batchId, keys);
  } finally {
    if ((await conn.redis.get(keys.retry)) === token) await conn.redis.del(keys.retry);
  }
}

async function retryUnderLock(conn: FactoryConnection, batchId: string, keys: ReturnType<typeof batchKeys>): Promise<RetryOutcome> {
  const { prefix } = conn.config;
  const llmb = llmBatchKeys(prefix);
  // A retry that died between its reset and its jobs left them on the unjobbed hash.
  await requeueUnjobbed(conn, batchId);
  const [state, finishedAt, failed] = await conn.redis.hmget(keys.batch, 'state', 'finishedAt', 'failed');
  if (state === null) return { outcome: 'unknown' };
  if (state === 'cancelled') return { outcome: 'cancelled' };
  if (finishedAt === null) return { outcome: 'running' };
  // Nothing failed: no need to read every result.
  if (Number(failed ?? 0) === 0) return { outcome: 'retried', retried: 0, remaining: 0 };
  const all = await failedItems(conn, keys.results);
  const items = all.slice(0, RETRY_LIMIT);
  if (items.length === 0) return { outcome: 'retried', retried: 0, remaining: 0 };
  for (let i = 0; i < items.length; i += REMOVE_CHUNK) {
    const chunk = items.slice(i, i + REMOVE_CHUNK);
    const attempts = chunk.flatMap(({ key: k }) => [{ b: batchId, k }, { b: batchId, k, a: 2 as const }]);
    // The old jobs keep their ids: a job added again under one would not run. Batch mode's realtime
    // fallbacks too, and its requests' registrations: a registered request is never sent again.
    const ids = chunk.flatMap(({ key: k }) => itemJobIds(batchId, k));
    await Promise.all([...ids.map(([stage, id]) => conn.queues[stage].remove(id)), conn.redis.del(...attempts.map((data) => llmb.member(memberId(data))))]);
  }
  let reply: unknown;
  try {
    reply = await retryItemsScript.run(
      conn.redis,
      [keys.batch, keys.results, keys.ids, keys.unjobbed, ...items.map((f) => itemKey(prefix, batchId, f.key))],
      ['retry', ...items.flatMap((f) => [f.key, f.result, f.requirement])],
    );
  } catch (error) {
    // Redis puts its generic ERR code before a script's own error reply.
    const why = error instanceof Error ? error.message.replace(/^ERR /, '') : '';
    if (why === 'gone') return { outcome: 'unknown' };
    if (why === 'running' || why === 'cancelled') return { outcome: why };
    throw error;
  }
  const reset = JSON.parse(String(reply)) as string[];
  await requeueUnjobbed(conn, batchId);
  return { outcome: 'retried', retried: reset.length, remaining: all.length - items.length };
}

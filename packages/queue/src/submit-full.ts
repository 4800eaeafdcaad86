import type { BatchStatus } from './batch.js';
import { getBatch } from './batches.js';
import type { FactoryConnection } from './connection.js';
import { interruptIfAbandoned } from './interruption.js';
import { redisFullMessage, tightestMaster } from './redis-memory.js';

/**
 * A submit Redis has no room for: refused before anything was enqueued (no `batch`), or stopped
 * part way when Redis filled up (`batch` is the interrupted batch, to resume once there is room).
 */
export class RedisFullError extends Error {
  override readonly name = 'RedisFullError';

  constructor(
    message: string,
    readonly batch?: BatchStatus,
  ) {
    super(message);
  }
}

/**
 * Redis refused a write of this submit for want of memory. The batch this producer holds (`token`,
 * its lease) is interrupted rather than cancelled or sealed: what was enqueued stays and runs, and
 * the rest can be resumed once there is room (interrupt-batch runs on a full Redis: allow-oom). The
 * error says what is full, what became of the batch, how to go on.
 */
export async function stoppedByFullRedis(conn: FactoryConnection, batchId?: string, token?: string): Promise<RedisFullError> {
  if (batchId !== undefined && token !== undefined) await interruptIfAbandoned(conn, batchId, token, 'full').catch(() => undefined);
  const [node, batch] = await Promise.all([tightestMaster(conn.redis).catch(() => undefined), batchId === undefined ? undefined : getBatch(conn, batchId).catch(() => undefined)]);
  const full = redisFullMessage(node);
  if (batchId === undefined) return new RedisFullError(`${full}. Nothing was enqueued.`);
  if (!batch) return new RedisFullError(`${full}.\nbatch ${batchId} stopped part way; its status says how far it got.`);
  return new RedisFullError(`${full}.\nbatch ${batch.id} is ${batch.state}: ${batch.reason ?? `${batch.inputs} requirement(s) were enqueued`}`, batch);
}

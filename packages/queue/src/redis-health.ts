import type { FactoryConnection } from './connection.js';
import { redisWriteRefusals, type WriteRefusal } from './redis-saving.js';
import { withTimeout } from './with-timeout.js';

/** What /readyz and /metrics say of Redis: it did not answer (and why), or it did, with every reason it refuses writes now. */
export type RedisHealth = { up: false; message: string } | { up: true; refusals: WriteRefusal[] };

/**
 * Asks the Redis node holding the factory's keys within `ms`; a pending command is abandoned, not
 * awaited (a worker's client queues commands while Redis is away). EXISTS on a key under the prefix,
 * not PING: on a Cluster, PING goes to any node, and another node answering says nothing of the one
 * we need. Then whether any master refuses writes (at its maxmemory, or unable to save).
 */
export async function redisHealth(conn: FactoryConnection, ms: number): Promise<RedisHealth> {
  const probe = conn.redis
    .exists(`${conn.config.prefix}:readyz`)
    .then(() => redisWriteRefusals(conn.redis))
    .then(
      (refusals): RedisHealth => ({ up: true, refusals }),
      (error: unknown): RedisHealth => ({ up: false, message: `Redis is not answering: ${error instanceof Error ? error.message : String(error)}` }),
    );
  return withTimeout(probe, ms, 'Redis').catch((): RedisHealth => ({ up: false, message: `Redis did not answer within ${ms} ms` }));
}

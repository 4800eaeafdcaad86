import type { Queue } from 'bullmq';
import type { Redis, Cluster } from 'ioredis';
import type { QueueConfig } from './config.js';
import type { Stage } from './stages.js';

/** A Redis client (single node or cluster). */
export type RedisClient = Redis | Cluster;

/** What every producer, worker and server process holds: one Redis client, the four stage queues. */
export interface FactoryConnection {
  config: QueueConfig;
  /** For the factory's own keys (batches, items, cache, counters). */
  redis: RedisClient;
  queues: Record<Stage, Queue>;
  /** Closes every Redis connection this object opened. */
  close(): Promise<void>;
}

// STUB: owned by the queue helper.
/**
 * Connects to Redis (REDIS_URL; several comma-separated nodes mean Redis Cluster), checks it
 * (refuses a maxmemory-policy other than noeviction; warns when persistence is off) and opens the
 * stage queues under the prefix.
 */
export async function connect(config: Partial<QueueConfig> = {}): Promise<FactoryConnection> {
  throw new Error(`not implemented ${Object.keys(config).length}`);
}

import type { Queue, Telemetry } from 'bullmq';
import type { Redis, Cluster } from 'ioredis';
import { QueueConfigSchema, type QueueConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openQueues } from './queues.js';
import { checkRedis } from './redis-checks.js';
import { openRedis, quitClient, type ClientRole } from './redis-client.js';
import { displayRedisUrl } from './redis-url.js';
import type { Stage } from './stages.js';

/** A Redis client (single node or cluster). */
export type RedisClient = Redis | Cluster;

/** What every producer, worker and server process holds: one Redis client, the four stage queues. */
export interface FactoryConnection {
  config: QueueConfig;
  /** For the factory's own keys (batches, items, cache, counters). */
  redis: RedisClient;
  queues: Record<Stage, Queue>;
  /** BullMQ's telemetry when this process traces (OTEL_EXPORTER_OTLP_ENDPOINT): its queues and workers make spans. */
  telemetry?: Telemetry;
  /** Closes every Redis connection this object opened. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** `producer` (default) fails fast when Redis is down; `worker` waits for it to come back. */
  role?: Exclude<ClientRole, 'subscriber'>;
  logger?: Logger;
  /** Traces the stage queues (and the workers started on this connection); see @agent-factory/telemetry. */
  telemetry?: Telemetry;
  /** For a command that only reads: opening the queues writes nothing to Redis (see openQueues). */
  readOnly?: boolean;
}

/**
 * Connects to Redis (REDIS_URL; several comma-separated nodes mean Redis Cluster), checks it
 * (refuses a maxmemory-policy other than noeviction; warns when persistence is off) and opens the
 * stage queues under the prefix.
 */
export async function connect(config: Partial<QueueConfig> = {}, options: ConnectOptions = {}): Promise<FactoryConnection> {
  const parsed = QueueConfigSchema.parse(config);
  const logger = options.logger ?? createLogger({ component: 'queue' });
  const redis = await openRedis(parsed.redisUrl, options.role ?? 'producer', 'agent-factory');
  try {
    await checkRedis(redis, logger, displayRedisUrl(parsed.redisUrl));
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const queues = openQueues(redis, parsed, { ...(options.telemetry ? { telemetry: options.telemetry } : {}), readOnly: options.readOnly ?? false });
  let closed = false;
  return {
    config: parsed,
    redis,
    queues,
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(Object.values(queues).map((q) => q.close().catch(() => undefined)));
      await quitClient(redis);
    },
  };
}

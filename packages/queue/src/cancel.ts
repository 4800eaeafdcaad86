import type { FactoryConnection } from './connection.js';
import { cancelChannel } from './keys.js';
import type { Logger } from './logger.js';
import { openRedis, quitClient } from './redis-client.js';

/** Tells every worker process to abort the running jobs of a batch. */
export async function publishCancel(conn: FactoryConnection, batchId: string): Promise<void> {
  await conn.redis.publish(cancelChannel(conn.config.prefix), batchId);
}

export interface CancelSubscription {
  close(): Promise<void>;
}

/**
 * Listens for cancelled batches on a connection of its own (a subscribed client can do nothing
 * else). ioredis re-subscribes by itself after a reconnect.
 */
export async function subscribeCancels(redisUrl: string, prefix: string, onCancel: (batchId: string) => void, logger: Logger): Promise<CancelSubscription> {
  const subscriber = await openRedis(redisUrl, 'subscriber', 'agent-factory-cancel');
  const channel = cancelChannel(prefix);
  subscriber.on('message', (ch: string, message: string) => {
    if (ch !== channel) return;
    try {
      onCancel(message);
    } catch (error) {
      logger.error({ err: error, batch: message }, 'cancel handler failed');
    }
  });
  await subscriber.subscribe(channel);
  return {
    async close() {
      await quitClient(subscriber);
    },
  };
}

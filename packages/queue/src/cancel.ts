import type { FactoryConnection } from './connection.js';
import { batchKeys, cancelChannel } from './keys.js';
import type { Logger } from './logger.js';
import { every, type Periodic } from './periodic.js';
import { openRedis, quitClient } from './redis-client.js';

/** How often a worker reads the state of the batches its running jobs belong to. */
export const CANCEL_SWEEP_MS = 2000;

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

/**
 * Every CANCEL_SWEEP_MS, while jobs run: reads the state of their batches and calls `onCancel` for
 * each one cancelled. The message alone can miss: it is lost while the subscriber reconnects, and a
 * job whose processor starts just after it (fetched before the cancel, but not yet running) would
 * otherwise run to its end, a whole provider call.
 */
export function sweepCancelled(conn: FactoryConnection, runningBatches: () => string[], onCancel: (batchId: string) => void, logger: Logger): Periodic {
  return every(CANCEL_SWEEP_MS, async () => {
    const batches = runningBatches();
    if (batches.length === 0) return;
    try {
      const pipeline = conn.redis.pipeline();
      for (const b of batches) pipeline.hget(batchKeys(conn.config.prefix, b).batch, 'state');
      const states = (await pipeline.exec()) ?? [];
      batches.forEach((b, i) => {
        if (states[i]?.[1] === 'cancelled') onCancel(b);
      });
    } catch (error) {
      // Redis is away: the next round reads again.
      logger.debug({ err: error }, 'could not read the running batches\' states');
    }
  });
}

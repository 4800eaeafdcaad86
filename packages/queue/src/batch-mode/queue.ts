import { Queue } from 'bullmq';
import { BACKOFF_TYPE } from '../backoff.js';
import type { FactoryConnection } from '../connection.js';
import { KEEP_COMPLETED } from '../config.js';
import { KEEP_FAILED } from '../queues.js';
import { COLLECTOR_QUEUE } from './context.js';

/**
 * The `llm-batches` queue on the connection's client: the collector adds its flush and group jobs
 * to it, and Bull Board shows it next to the stage queues (a Message Batch in flight is a job there).
 */
export function openCollectorQueue(conn: FactoryConnection, attempts = 1): Queue {
  const queue = new Queue(COLLECTOR_QUEUE, {
    connection: conn.redis,
    prefix: conn.config.prefix,
    defaultJobOptions: { attempts, backoff: { type: BACKOFF_TYPE, delay: 2000 }, removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED },
  });
  // Connection errors reach the callers of add(); an unhandled 'error' event would crash the process.
  queue.on('error', () => undefined);
  return queue;
}

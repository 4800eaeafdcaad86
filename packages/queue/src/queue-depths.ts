import type { Queue } from 'bullmq';
import type { FactoryConnection } from './connection.js';
import { STAGES } from './stages.js';

/** The job states a queue depth is told in (the dashboard's table, /metrics' af_queue_jobs). */
export const DEPTH_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'waiting-children'] as const;

/**
 * Jobs per queue and state, by queue name: the stage queues, then the others given (the server adds
 * `webhooks` and `llm-batches`, whose jobs are batch ends and Message Batches in flight).
 */
export async function queueDepths(conn: FactoryConnection, others: readonly Queue[] = []): Promise<Record<string, Record<string, number>>> {
  const queues: Queue[] = [...STAGES.map((stage) => conn.queues[stage]), ...others];
  const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...DEPTH_STATES)));
  return Object.fromEntries(queues.map((queue, i) => [queue.name, counts[i] ?? {}]));
}

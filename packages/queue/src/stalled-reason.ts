import type { FactoryConnection } from './connection.js';
import { STALLED_TOO_OFTEN } from './errors.js';
import { restateStalledScript } from './scripts/restate-stalled.js';
import type { Stage } from './stages.js';

/**
 * A job failed for stalling too often shows in Bull Board with the plain words its item got
 * (stageFailureReason) instead of BullMQ's "job stalled more than allowable limit". Idempotent: the
 * worker whose stall check failed the job says it, and the failed-jobs sweep again should that worker
 * have died first. Other failures keep their own reason.
 */
export async function restateStalled(conn: FactoryConnection, stage: Stage, jobId: string, rawReason: string, plain: string): Promise<void> {
  if (rawReason !== STALLED_TOO_OFTEN) return;
  await restateStalledScript.run(conn.redis, [conn.queues[stage].toKey(jobId)], [STALLED_TOO_OFTEN, plain]);
}

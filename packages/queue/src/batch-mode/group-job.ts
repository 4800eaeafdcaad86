import { classifyError } from '@agent-factory/llm';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { applyResults } from './apply.js';
import { chargeTakenDrafts } from '../cancelled-spend.js';
import { MetricsRecorder } from '../metrics/recorder.js';
import { cancelIfAbandoned } from './cancel-group.js';
import type { CollectorContext } from './context.js';
import { finishGroup } from './finish.js';
import { resumeCreating, submitGroup } from './submit.js';

/** Back to the queue until the next poll, without spending an attempt. */
async function pollLater(c: CollectorContext, job: Job, token: string | undefined): Promise<never> {
  await job.moveToDelayed(Date.now() + c.options.pollMs, token);
  throw new DelayedError();
}

/** Whether the Anthropic batch has ended; a transient failure to ask is just another poll. */
async function hasEnded(c: CollectorContext, groupId: string, anthropicId: string, job: Job): Promise<boolean> {
  try {
    const batch = await c.client.messages.batches.retrieve(anthropicId);
    if (batch.processing_status === 'ended') return true;
    await job.updateProgress({ anthropicBatch: anthropicId, ...batch.request_counts });
    return false;
  } catch (caught) {
    const error = classifyError(caught);
    // Gone or forbidden: the group cannot answer; the failed handler sends it realtime.
    if (error.permanent) throw new UnrecoverableError(`Message Batch ${anthropicId}: ${error.message}`);
    c.logger.warn({ group: groupId, anthropicBatch: anthropicId, err: error }, 'could not poll the Message Batch; polling again later');
    return false;
  }
}

/**
 * One group's job, a state machine in its Redis hash: forming → (creating) → submitted → polled
 * every pollMs → results applied → done. Each step is safe to run again after a crash.
 */
export async function runGroup(c: CollectorContext, job: Job, token: string | undefined): Promise<void> {
  const groupId = String((job.data as { g?: unknown }).g);
  const { redis } = c.conn;
  await redis.zrem(c.keys.forming, groupId);
  const group = await redis.hgetall(c.keys.group(groupId));
  let anthropicId: string | undefined;
  switch (group['state']) {
    case 'forming':
      anthropicId = await submitGroup(c, groupId);
      break;
    case 'creating':
      anthropicId = await resumeCreating(c, groupId, Number(group['startedAt']), Number(group['sent']));
      break;
    case 'submitted':
      anthropicId = group['anthropicId'];
      break;
    default:
      // done, failed, or expired: nothing left to do.
      return;
  }
  if (anthropicId === undefined) return;
  await cancelIfAbandoned(c, groupId, anthropicId, group);
  if (!(await hasEnded(c, groupId, anthropicId, job))) return pollLater(c, job, token);
  const summary = await applyResults(c, groupId, anthropicId);
  // Answers for requirements of cancelled batches wait in the cancelled-drafts hash: their bill counts on the cancelled items now.
  await chargeTakenDrafts({ conn: c.conn, metrics: new MetricsRecorder(c.conn) }, c.logger).catch((error: unknown) => c.logger.warn({ err: error }, 'could not count the answers of cancelled requirements; the workers will'));
  await finishGroup(c, groupId, 'done');
  await job.log(`Message Batch ${anthropicId}: ${summary.succeeded} succeeded, ${summary.fallbacks} realtime`).catch(() => undefined);
  c.logger.info({ group: groupId, anthropicBatch: anthropicId, ...summary }, 'Message Batch results applied');
}

import { Queue, type JobsOptions, type Telemetry } from 'bullmq';
import { z } from 'zod';
import { BACKOFF_TYPE } from './backoff.js';
import { KEEP_COMPLETED, type QueueConfig } from './config.js';
import type { RedisClient } from './connection.js';
import type { StageOutputs } from './processors/outputs.js';
import { BatchIdSchema } from './batch-id.js';
import { STAGES, type Stage } from './stages.js';

/**
 * A stage job's data: which item, for generate/validate which generation attempt (1 or 2), and the
 * outputs of the item's earlier stages.
 */
export const StageJobDataSchema = z.object({
  b: BatchIdSchema,
  k: z.string().regex(/^[0-9a-f]{16}$/, 'not a requirement key'),
  a: z.union([z.literal(1), z.literal(2)]).optional(),
  /** `realtime`: generate with a Messages API call even in a batch-mode batch (a Message Batches fallback). */
  m: z.literal('realtime').optional(),
  /** Provider retries spent by earlier runs of this generate job that ended in an error (counted in the metrics). */
  r: z.number().int().nonnegative().optional(),
  /** Times this job went back to the queue on a rate limit (no attempt spent): bounded by RATE_LIMITED_RUNS. */
  l: z.number().int().nonnegative().optional(),
  /** Times this analyze job was parked waiting for an identical requirement's agent (no attempt spent; agent-claim.ts). */
  w: z.number().int().nonnegative().optional(),
  /**
   * Earlier stages' outputs, by name. Written by the previous stage of this code and only checked to be
   * an object: re-validating a plan and its research on every stage would cost more than the stage.
   */
  o: z.custom<Partial<StageOutputs>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'outputs must be an object').optional(),
});
export type StageJobData = z.infer<typeof StageJobDataSchema>;

/** The completed jobs a stage queue keeps under this configuration. */
export function keptCompleted(config: QueueConfig): { count: number; age: number } {
  return { count: config.keepCompleted, age: KEEP_COMPLETED.age };
}
/** Failed jobs kept for Bull Board: the newest 10,000, at most a week. */
export const KEEP_FAILED = { count: 10_000, age: 7 * 24 * 3600 };

/**
 * Deterministic job id of an item's stage (BullMQ ids must not contain ':'). A second generation
 * attempt gets its own id: the first may still exist when the second is enqueued.
 */
export function stageJobId(stage: Stage, data: StageJobData): string {
  return `${data.b}-${data.k}-${stage}${data.a === 2 ? '-2' : ''}`;
}

/**
 * Job id of the realtime generation that stands in for a Message Batches request that failed
 * (batch-mode/apply.ts): its own id, as the batch-mode generate job of the same attempt has completed.
 */
export function fallbackJobId(data: StageJobData): string {
  return `${stageJobId('generate', data)}-rt`;
}

/**
 * Every job id an item may have, with its queue: each stage for both generation attempts (an id of an
 * attempt its stage never runs names no job) and batch mode's realtime fallbacks.
 */
export function itemJobIds(batchId: string, reqKey: string): [Stage, string][] {
  const attempts: StageJobData[] = [{ b: batchId, k: reqKey }, { b: batchId, k: reqKey, a: 2 }];
  const staged = STAGES.flatMap((stage) => attempts.map((data): [Stage, string] => [stage, stageJobId(stage, data)]));
  return [...staged, ...attempts.map((data): [Stage, string] => ['generate', fallbackJobId(data)])];
}

/**
 * Options of every stage job: retries with jittered backoff, and how many failed jobs stay (on the
 * job: a job that stalls too often is failed by whichever process notices, not by a worker). Which
 * completed jobs stay is the workers' option (stage-worker.ts), as only a worker completes a job:
 * every job, enqueued by the hundred thousand, carries that much less.
 */
export function stageJobOptions(config: QueueConfig): JobsOptions {
  return {
    attempts: config.attempts,
    backoff: { type: BACKOFF_TYPE, delay: config.backoffMs },
    removeOnFail: KEEP_FAILED,
  };
}

/**
 * The four stage queues on one shared client (BullMQ does not close a client it was given).
 * `readOnly`: BullMQ writes each queue's `<prefix>:<stage>:meta` hash when it opens it, unless told
 * not to; a command that only reads (status, report…) must leave Redis as it found it.
 */
export function openQueues(client: RedisClient, config: QueueConfig, options: { telemetry?: Telemetry; readOnly?: boolean } = {}): Record<Stage, Queue> {
  const { telemetry, readOnly = false } = options;
  const entries = STAGES.map((stage) => {
    const queue = new Queue(stage, {
      connection: client,
      prefix: config.prefix,
      defaultJobOptions: stageJobOptions(config),
      ...(readOnly ? { skipMetasUpdate: true } : {}),
      ...(telemetry ? { telemetry } : {}),
    });
    // Connection errors reach the callers of add(); an unhandled 'error' event would crash the process.
    queue.on('error', () => undefined);
    return [stage, queue] as const;
  });
  return Object.fromEntries(entries) as Record<Stage, Queue>;
}

/** Enqueues an item's stage job with its deterministic id and the item's priority. */
export async function enqueueStage(queues: Record<Stage, Queue>, stage: Stage, data: StageJobData, priority: number): Promise<void> {
  await queues[stage].add(stage, data, { jobId: stageJobId(stage, data), priority });
}

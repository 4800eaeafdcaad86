import type Anthropic from '@anthropic-ai/sdk';
import type { AnthropicProvider } from '@agent-factory/llm';
import type { Queue } from 'bullmq';
import type { FactoryConnection } from '../connection.js';
import type { Logger } from '../logger.js';
import type { BatchModeOptions } from './config.js';
import type { LlmBatchKeys } from './keys.js';

/** The small queue of collector jobs: `flush` (form groups) and `group` (create, poll, apply one Anthropic batch). */
export const COLLECTOR_QUEUE = 'llm-batches';

/** The provider name on drafts written from a Message Batch: the stored result's generator says it was batch-priced. */
export const BATCH_PROVIDER = 'anthropic-batch';

/** How long a finished group's keys stay for inspection. */
export const GROUP_TTL_SECONDS = 24 * 3600;

/** Test seams: a hook that throws simulates a crash at that point. */
export interface CollectorHooks {
  /** After `batches.create` answered, before its id is recorded. */
  afterCreate?(groupId: string, anthropicId: string): void | Promise<void>;
}

/** What every collector job of one process shares. */
export interface CollectorContext {
  conn: FactoryConnection;
  llm: AnthropicProvider;
  client: Anthropic;
  queue: Queue;
  keys: LlmBatchKeys;
  options: BatchModeOptions;
  logger: Logger;
  /** Recorded on the items whose drafts this process wrote. */
  workerId: string;
  hooks: CollectorHooks;
}

/** The group's job, with a deterministic id: re-adding it while it exists is a no-op. */
export async function addGroupJob(c: Pick<CollectorContext, 'queue'>, groupId: string): Promise<void> {
  await c.queue.add('group', { g: groupId }, { jobId: `group-${groupId}` });
}

/** A flush now, in addition to the scheduled ones. */
export async function addFlushJob(queue: Queue, id: string): Promise<void> {
  await queue.add('flush', {}, { jobId: `flush-${id}`, removeOnComplete: true, removeOnFail: true });
}

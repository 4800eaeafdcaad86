import type { Cache, DocsSource, LlmProvider, PipelineOptions } from '@agent-factory/core';
import type { ModelPrice } from '@agent-factory/llm';
import type { Queue } from 'bullmq';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { FactoryConnection } from '../connection.js';
import { CancelledError, PermanentError } from '../errors.js';
import type { LoadedItem } from '../items.js';
import type { Logger } from '../logger.js';
import { enqueueStage, type StageJobData } from '../queues.js';
import type { Stage } from '../stages.js';

/** What every stage processor of a worker pool shares. */
export interface StageContext {
  conn: FactoryConnection;
  llm: LlmProvider;
  docs?: DocsSource;
  cache?: Cache;
  pipeline: PipelineOptions;
  /** host:pid, recorded on the items this process generates. */
  workerId: string;
  /** Appended to a requirement key for the agents cache: what else shapes the file (options, provider). */
  agentCacheSuffix: string;
  /** Records each requirement that ends (cluster-wide aggregates, Prometheus). */
  metrics: MetricsRecorder;
  /** Price overrides (AF_PRICES) for the recorded cost. */
  prices?: Readonly<Record<string, ModelPrice>>;
  logger: Logger;
}

/** A job's time in its queue (ms), earlier attempts, and when it was enqueued (epoch ms). */
export interface JobTiming {
  wait: number;
  retries: number;
  enqueuedAt: number;
}

/** One job's work: its item as loaded, its priority (kept by every later stage) and its abort signal. */
export interface StageWork {
  data: StageJobData;
  item: LoadedItem;
  priority: number;
  timing: JobTiming;
  signal?: AbortSignal;
  logger: Logger;
}

export interface StageHandler {
  /** The item record fields the stage reads. */
  fields(data: StageJobData): readonly string[];
  run(ctx: StageContext, work: StageWork): Promise<void>;
}

/** Reads a JSON stage output from the item record; a missing one means the record is broken. */
export function readOutput<T>(item: LoadedItem, field: string): T {
  const raw = item.fields[field];
  if (raw === undefined) throw new PermanentError(`the item record has no ${field} (its earlier stage output is missing)`);
  try {
    // Our own JSON, written by an earlier stage of this code: trusted, not re-validated.
    return JSON.parse(raw) as T;
  } catch {
    throw new PermanentError(`the item record's ${field} is not valid JSON`);
  }
}

/** Stops between steps once the job was aborted (batch cancelled or worker shutting down). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError(typeof signal.reason === 'string' ? signal.reason : 'aborted');
}

/** Enqueues the item's next stage job with its deterministic id and the same priority. */
export function enqueueNext(queues: Record<Stage, Queue>, stage: Stage, work: StageWork, attempt?: 1 | 2): Promise<void> {
  const data: StageJobData = { b: work.data.b, k: work.data.k, ...(attempt ? { a: attempt } : {}) };
  return enqueueStage(queues, stage, data, work.priority);
}

import type { DocsSource, LlmProvider, PipelineOptions } from '@agent-factory/core';
import type { ModelPrice } from '@agent-factory/llm';
import type { Queue } from 'bullmq';
import type { SharedCache } from '../cache.js';
import type { ClaimStep } from '../cache-lock.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { FactoryConnection } from '../connection.js';
import { CancelledError, PermanentError } from '../errors.js';
import type { LoadedItem } from '../items.js';
import type { RedisWriteGate } from '../redis-write-gate.js';
import type { Logger } from '../logger.js';
import { enqueueStage, stageJobId, type StageJobData } from '../queues.js';
import type { Stage } from '../stages.js';
import type { DraftOutput, OutputName, StageOutputs } from './outputs.js';

/** What every stage processor of a worker pool shares. */
export interface StageContext {
  conn: FactoryConnection;
  llm: LlmProvider;
  docs?: DocsSource;
  cache?: SharedCache;
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
  /** Told of every Redis error a stage meets: true when Redis refuses writes, full or unable to save (the process's workers then pause). */
  writeGate: RedisWriteGate;
}

/** A job's time in its queue (ms), earlier attempts, and when it was enqueued (epoch ms). */
export interface JobTiming {
  wait: number;
  retries: number;
  enqueuedAt: number;
}

/** One job's work: its item as loaded, its inputs, its priority (kept by every later stage) and its abort signal. */
export interface StageWork {
  data: StageJobData;
  /** The item's state and record fields, when the stage read them (see StageHandler). */
  item?: LoadedItem;
  /** Earlier stages' outputs: those the job carried, and those read from the item record. */
  inputs: Partial<StageOutputs>;
  priority: number;
  timing: JobTiming;
  /** An earlier run of this job ended without completing it (a failed attempt, or a stall). */
  rerun: boolean;
  signal?: AbortSignal;
  logger: Logger;
}

export interface StageHandler {
  /** Earlier stages' outputs the stage reads: from the job's data, else from the item record. */
  inputs(data: StageJobData): readonly OutputName[];
  /**
   * Record fields the stage reads whatever the job carries: the item's state (batch cancelled or gone,
   * item final) is read with them. A stage without them reads Redis only for inputs its job lacks;
   * the finalize script's exactly-once check and the next stage's read of the state cover it.
   */
  recordFields?(data: StageJobData, ctx: StageContext): readonly string[];
  /** A claim the item's read makes in the same command (loadItem), for a stage that reads record fields. */
  claim?(ctx: StageContext, data: StageJobData): ClaimStep | undefined;
  run(ctx: StageContext, work: StageWork): Promise<void>;
}

/** Parses a stage output from the item record's field of its name; a missing one means the record is broken. */
export function readOutput<K extends OutputName>(item: LoadedItem, name: K): StageOutputs[K] {
  const raw = item.fields[name];
  if (raw === undefined) throw new PermanentError(`the item record has no ${name} (its earlier stage output is missing)`);
  try {
    // Our own JSON, written by this code: trusted, not re-validated.
    return JSON.parse(raw) as StageOutputs[K];
  } catch {
    throw new PermanentError(`the item record's ${name} is not valid JSON`);
  }
}

/** An input of the stage (StageHandler.inputs guarantees it is there). */
export function input<K extends OutputName>(work: StageWork, name: K): StageOutputs[K] {
  const value = work.inputs[name];
  if (value === undefined) throw new PermanentError(`the job has no ${name} (its earlier stage output is missing)`);
  return value;
}

/** Stops between steps once the job was aborted (batch cancelled or worker shutting down), with the draft it got so far. */
export function throwIfAborted(signal: AbortSignal | undefined, draft?: DraftOutput): void {
  if (signal?.aborted) throw new CancelledError(typeof signal.reason === 'string' ? signal.reason : 'aborted', draft);
}

/** The data of the item's next stage job: which attempt, and the outputs it carries. */
function nextData(work: StageWork, attempt: 1 | 2 | undefined, outputs: Partial<StageOutputs>): StageJobData {
  return { b: work.data.b, k: work.data.k, ...(attempt ? { a: attempt } : {}), o: outputs };
}

/** Enqueues the item's next stage job with its deterministic id, the same priority and the outputs so far. */
export function enqueueNext(queues: Record<Stage, Queue>, stage: Stage, work: StageWork, attempt: 1 | 2 | undefined, outputs: Partial<StageOutputs>): Promise<void> {
  return enqueueStage(queues, stage, nextData(work, attempt, outputs), work.priority);
}

/** Whether an earlier run of this job already enqueued the item's next stage job (it died before completing). */
export async function enqueuedBefore(conn: FactoryConnection, stage: Stage, work: StageWork, attempt?: 1 | 2): Promise<boolean> {
  if (!work.rerun) return false;
  return (await conn.redis.exists(conn.queues[stage].toKey(stageJobId(stage, nextData(work, attempt, {}))))) === 1;
}

import { RequirementSchema, type Requirement } from '@agent-factory/core';
import { z } from 'zod';
import type { FactoryConnection } from './connection.js';
import { ITEM_FIELDS } from './item-fields.js';
import { jobPriority, type BatchPlace } from './priority.js';
import { batchKeys, itemKey } from './keys.js';
import { stageJobId, type StageJobData } from './queues.js';
import { idsEntry } from './ids-entry.js';
import { untilRedisAnswers } from './redis-patience.js';
import { requirementKey } from './requirement-key.js';
import { CHUNK_EARLY, enqueueChunkScript } from './scripts/enqueue-chunk.js';
import { CheckedInput } from './input/checked-input.js';
import { fenced, type SubmitLease } from './submit-lease.js';

/** A checked requirement with its input id (line-derived when the input had none). */
export type BatchItemInput = Requirement & { id: string };

export interface SubmitProgress {
  enqueued: number;
}

/**
 * Inputs per write: one fenced script of records, ids and jobs. Small chunks with several in flight,
 * because what a chunk allocates survives young-generation collections while it is on the wire: with
 * 1,000 × 3 a third of a submit went to the GC; 250 × 6 took 13% less wall time and 20 MB less RSS on
 * 100,000 lines (measured when each chunk's jobs still went by BullMQ's addBulk).
 */
export const SUBMIT_CHUNK = 250;
export const SUBMIT_CHUNKS_IN_FLIGHT = 6;

export const InputSchema = RequirementSchema.extend({ id: z.string().min(1).max(200) });

/** An input as the producer takes it: as it is when the input checker built it (files, API bodies), else parsed (SDK callers). */
export function batchInput(input: BatchItemInput): BatchItemInput {
  return input instanceof CheckedInput ? input : InputSchema.parse(input);
}

export interface EnqueueTarget {
  batchId: string;
  /** The batch's priority and rank offset; with an item's rank in the batch, its jobs' BullMQ priority. */
  place: BatchPlace;
  /** Held by this producer: every write is fenced by it. */
  lease: SubmitLease;
  /** Distinct requirement keys the batch already holds (a resume's), so a repeat is not stored or counted again. */
  seen?: Set<string>;
  /** Inputs the batch already holds, so progress counts on from there. */
  enqueued?: number;
}

export interface EnqueueOptions {
  onProgress?: (progress: SubmitProgress) => void;
  /** Stops reading input; the chunks already sent complete (each is atomic). */
  signal?: AbortSignal;
}

/**
 * What every chunk script of a producer passes about the analyze queue (see enqueue-chunk.ts): its
 * keys, and the options of its jobs as BullMQ stores them: the queue's defaults, and when traced
 * BullMQ's `omc` (omitContext, short name), so each job starts a trace of its own (one per
 * requirement) instead of joining the producer's.
 */
function analyzeQueue(conn: FactoryConnection): { keys: string[]; jobPrefix: string; options: string } {
  const queue = conn.queues.analyze;
  const options = conn.telemetry ? { ...queue.defaultJobOptions, omc: true } : queue.defaultJobOptions;
  return {
    keys: ['meta', 'id', 'prioritized', 'active', 'events', 'pc', 'marker'].map((type) => queue.toKey(type)),
    jobPrefix: queue.toKey(''),
    options: JSON.stringify(options),
  };
}

/**
 * Enqueues inputs on the analyze queue in chunks: each chunk's item records, ids entries, counters
 * and analyze jobs in one atomic, lease-fenced script, in input order (one chunk's script after the
 * other); a few chunks are on the wire at once. Identical requirements are stored and run once and
 * answered for every id; job ids are deterministic from (batch, requirement) and jobs are ranked in
 * input order from the batch's rank offset. Streamed: only the keys seen so far stay in memory (16
 * characters per distinct requirement). Returns the batch's input count and whether the signal
 * stopped it early.
 */
export async function enqueueInputs(
  conn: FactoryConnection,
  target: EnqueueTarget,
  items: AsyncIterable<BatchItemInput> | Iterable<BatchItemInput>,
  options: EnqueueOptions = {},
): Promise<{ enqueued: number; aborted: boolean }> {
  const { prefix } = conn.config;
  const { batchId, place, lease } = target;
  const keys = batchKeys(prefix, batchId);
  const analyze = analyzeQueue(conn);
  const seen = target.seen ?? new Set<string>();
  let enqueued = target.enqueued ?? 0;
  /** Inputs handed to chunk scripts so far: the batch's input count before the next chunk's script. */
  let sent = enqueued;
  let ids: string[] = [];
  let fresh: { key: string; req: Requirement }[] = [];
  const inFlight = new Set<Promise<void>>();
  /** The last chunk's write: a chunk that reached Redis before the one ahead of it waits for it. */
  let lastWrite: Promise<unknown> = Promise.resolve();
  let failure: { error: unknown } | undefined;

  const flush = async (): Promise<void> => {
    if (ids.length === 0) return;
    lease.check();
    const chunkIds = ids;
    const chunkFresh = fresh;
    /** The rank of the chunk's first new item in the batch (before the batch's rank offset). */
    const base = seen.size - chunkFresh.length;
    ids = [];
    fresh = [];
    const first = sent;
    sent += chunkIds.length;
    const scriptKeys = [keys.batch, keys.ids, keys.lease, ...analyze.keys, ...chunkFresh.map(({ key }) => itemKey(prefix, batchId, key))];
    const args: (string | number)[] = [lease.token, ITEM_FIELDS.requirement, chunkIds.length, analyze.jobPrefix, 'analyze', Date.now(), analyze.options, first, ...chunkIds];
    chunkFresh.forEach(({ key, req }, i) => {
      const data: StageJobData = { b: batchId, k: key };
      args.push(JSON.stringify(req), stageJobId('analyze', data), JSON.stringify(data), jobPriority(place.priority, place.rankOffset + base + i));
    });
    const write = async (): Promise<unknown> => fenced(batchId, enqueueChunkScript.run(conn.redis, scriptKeys, args));
    const ahead = lastWrite;
    // Sent at once, so Redis always has the next chunk at hand; the script writes chunks in input order
    // only, and one that arrived before the chunk ahead of it was written goes again once it is.
    // Redis restarting mid-submit is waited out, as long as the lease would last (then the batch is
    // interrupted anyway); a chunk whose script ran, its reply lost with the connection, is not
    // written again.
    const stored = untilRedisAnswers(async () => {
      if ((await write()) !== CHUNK_EARLY) return;
      await ahead;
      if ((await write()) === CHUNK_EARLY) throw new Error(`batch ${batchId}: the chunk from input ${first} found the batch short of it after the chunk ahead was written`);
    }, lease.ttlMs);
    lastWrite = stored;
    const written = stored.then(() => {
      enqueued += chunkIds.length;
      options.onProgress?.({ enqueued });
    });
    // Handled at once (no unhandled rejection while input is read); rethrown by the loop below.
    const tracked: Promise<void> = written.catch((error: unknown) => void (failure ??= { error })).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= SUBMIT_CHUNKS_IN_FLIGHT) await Promise.race(inFlight);
    if (failure) throw failure.error;
  };

  let aborted = false;
  try {
    for await (const input of items) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      const item = batchInput(input);
      const key = requirementKey(item);
      ids.push(idsEntry(item.id, key));
      if (!seen.has(key)) {
        seen.add(key);
        fresh.push({ key, req: { requirement: item.requirement, ...(item.tier ? { tier: item.tier } : {}), ...(item.model ? { model: item.model } : {}) } });
      }
      if (ids.length >= SUBMIT_CHUNK) await flush();
    }
    if (!aborted) await flush();
  } finally {
    // On success, abort or error alike: nothing of this producer is still being written afterwards.
    await Promise.all(inFlight);
  }
  if (failure) throw failure.error;
  return { enqueued, aborted };
}

import { claimAttempt, type ClaimAttempt, type ClaimStep, type ValueWrite } from './cache-lock.js';
import type { FactoryConnection } from './connection.js';
import { batchKeys, itemKey, webhooksDueKey } from './keys.js';
import type { StageJobData } from './queues.js';
import { metricsPayload, type MetricsPayload } from './metrics/store.js';
import { encodeResult, type StoredResult } from './result-codec.js';
import { sampledTraceId } from './tracing.js';
import { finalizeItemScript } from './scripts/finalize-item.js';
import { loadItemScript } from './scripts/load-item.js';
import { persistOutputScript } from './scripts/persist-output.js';
import { wakeParked } from './wake-parked.js';

/** An item as a stage sees it before working. */
export interface LoadedItem {
  /** Already completed, failed or cancelled: nothing left to do. */
  final: boolean;
  /** The batch is gone (retention ended or deleted): the job is moot. */
  batchGone: boolean;
  /** The item's record exists (it does while the item is unfinished). */
  hasRecord: boolean;
  batchState?: string;
  /** The batch allows reusing a cached agent. */
  useCache: boolean;
  fields: Record<string, string | undefined>;
  /** What the claim asked for found (see the load-item script), when it was made. */
  claim?: ClaimAttempt;
}

/** A reply string of the script (a Buffer when a claim was asked for: its value may be compressed). */
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined);

/**
 * Reads the batch state, whether the item is final, and the record fields a stage needs (one atomic
 * script); with `claim`, claims the item's agent in the same step when the item is under way and its
 * batch uses the cache (SharedCache.claimStep).
 */
export async function loadItem(conn: FactoryConnection, data: Pick<StageJobData, 'b' | 'k'>, fields: readonly string[], claim?: ClaimStep): Promise<LoadedItem> {
  const batch = batchKeys(conn.config.prefix, data.b);
  const keys = [batch.batch, batch.results, itemKey(conn.config.prefix, data.b, data.k)];
  const args = [data.k, claim?.keys.length ?? 0, ...(claim?.args ?? []), ...fields];
  // Lua turns nil into false, which ioredis returns as null; trailing nils are dropped from the table.
  const reply = (claim ? await loadItemScript.runBuffer(conn.redis, [...keys, ...claim.keys], args) : await loadItemScript.run(conn.redis, keys, args)) as unknown[];
  const state = text(reply[0]);
  const claimed = reply[4];
  return {
    final: reply[2] === 1,
    batchGone: state === undefined,
    hasRecord: reply[3] === 1,
    ...(state ? { batchState: state } : {}),
    useCache: text(reply[1]) !== '0',
    fields: Object.fromEntries(fields.map((f, i) => [f, text(reply[5 + i])])),
    ...(Array.isArray(claimed) ? { claim: claimAttempt(claimed as Parameters<typeof claimAttempt>[0]) } : {}),
  };
}

/**
 * Stores stage outputs (JSON by output name) in the item's record, for readers outside the item's jobs
 * (the Message Batches collector); false when the item is already final (nothing stored).
 */
export async function persistOutputs(conn: FactoryConnection, data: StageJobData, values: Record<string, string>): Promise<boolean> {
  const args = Object.entries(values).flat();
  return (await persistOutputScript.run(conn.redis, [itemKey(conn.config.prefix, data.b, data.k)], args)) === 1;
}

/** A finished agent to store in the shared cache in the step that ends its item (agent-claim.ts). */
export interface AgentWrite {
  write: ValueWrite;
  /** What the cache keeps (packed). */
  stored: Buffer | string;
  /** The set of jobs parked on the agent's claim, taken in the same step (agentStored wakes them). */
  waiters: string;
}

/** What finalizeItem did: whether this call ended the item; the jobs parked on its claim, taken as it stored the agent or, storing none, ended the item. */
export interface Finalized {
  ended: boolean;
  waiters: string[];
}

/**
 * Ends an item exactly once with its result (see the finalize-item script), recording its metrics in
 * the same step when given, and storing its finished agent in the cache first when given; `ended` is
 * false when it was already final or its batch is gone.
 */
export async function finalizeItem(conn: FactoryConnection, batchId: string, reqKey: string, result: StoredResult, metrics?: MetricsPayload, packed?: Buffer, agent?: AgentWrite): Promise<Finalized> {
  const keys = batchKeys(conn.config.prefix, batchId);
  // The trace of the job that ends the item, when traced: its result then names it.
  const traceId = conn.telemetry ? sampledTraceId() : undefined;
  const stored = traceId ? encodeResult({ ...result, tr: traceId }) : (packed ?? encodeResult(result));
  // The cache's copy usually is the result's bytes: sent once (an empty value says so).
  const cache = agent ? [agent.stored === stored ? '' : agent.stored, agent.write.ttlSeconds, agent.write.token, agent.write.staleTtlSeconds] : [];
  const [code, ...waiters] = (await finalizeItemScript.run(
    conn.redis,
    [keys.batch, keys.results, keys.ids, itemKey(conn.config.prefix, batchId, reqKey), webhooksDueKey(conn.config.prefix), ...(agent ? [...agent.write.keys, agent.waiters] : []), ...(metrics?.keys ?? [])],
    [reqKey, result.s, stored, conn.config.retentionSeconds, new Date().toISOString(), agent?.write.keys.length ?? 0, ...cache, ...(metrics?.args ?? [])],
  )) as [number, ...string[]];
  return { ended: code === 1, waiters };
}

/** The result of every item its batch's cancel ended. */
export const CANCELLED_RESULT: StoredResult = { s: 'cancelled', e: 'the batch was cancelled' };

/** The metrics record of an item ended by its batch's cancel (`report` counts it as cancelled). */
export function cancelledMetrics(conn: FactoryConnection, batchId: string, reqKey: string): MetricsPayload {
  return metricsPayload(conn.config.prefix, { at: Date.now(), batch: batchId, key: reqKey, outcome: 'cancelled' }, { retentionSeconds: conn.config.retentionSeconds });
}

/**
 * Ends an item of a cancelled batch, counted as cancelled in the metrics (`report`) in the same
 * step; true when this call ended it.
 */
export async function cancelItem(conn: FactoryConnection, batchId: string, reqKey: string): Promise<boolean> {
  const { ended, waiters } = await finalizeItem(conn, batchId, reqKey, CANCELLED_RESULT, cancelledMetrics(conn, batchId, reqKey));
  // Jobs of other batches parked on the agent the item had claimed: they take it over now.
  await wakeParked(conn, waiters);
  return ended;
}

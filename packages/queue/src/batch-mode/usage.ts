import type { FactoryConnection } from '../connection.js';
import { llmBatchKeys } from './keys.js';

/** What Message Batches spent: exact tokens by kind, USD at the batch price (×0.5), and the requests that went realtime. */
export interface BatchModeUsage {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  costUsd: number;
  /** Succeeded batch requests booked. */
  requests: number;
  /** Requests that fell back to realtime (errored, expired, canceled, missing). */
  fallbacks: number;
}

/** Batch-mode usage of one factory batch, or of every batch when no id is given. */
export async function batchModeUsage(conn: FactoryConnection, batchId?: string): Promise<BatchModeUsage> {
  const keys = llmBatchKeys(conn.config.prefix);
  const hash = await conn.redis.hgetall(batchId === undefined ? keys.usage : keys.batchUsage(batchId));
  const n = (field: string): number => Number(hash[field] ?? 0);
  return { input: n('input'), output: n('output'), cacheCreation: n('cacheCreation'), cacheRead: n('cacheRead'), costUsd: n('costUsd'), requests: n('requests'), fallbacks: n('fallbacks') };
}

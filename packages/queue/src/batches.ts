import type { BatchStatus, ItemResult } from './batch.js';
import type { FactoryConnection } from './connection.js';

// STUB: owned by the queue helper. All functions read or change the batch records in Redis.

/** A batch's status, or undefined when there is no such batch (or its retention ended). */
export async function getBatch(conn: FactoryConnection, batchId: string): Promise<BatchStatus | undefined> {
  throw new Error(`not implemented ${String(conn)} ${batchId}`);
}

/** Batches, newest first. */
export async function listBatches(conn: FactoryConnection, limit = 50): Promise<BatchStatus[]> {
  throw new Error(`not implemented ${String(conn)} ${limit}`);
}

/** Every input id's result, streamed in input order. */
export function batchResults(conn: FactoryConnection, batchId: string): AsyncIterable<ItemResult> {
  throw new Error(`not implemented ${String(conn)} ${batchId}`);
}

/** Stops a batch: removes its queued jobs and aborts its running ones on every worker. */
export async function cancelBatch(conn: FactoryConnection, batchId: string): Promise<BatchStatus | undefined> {
  throw new Error(`not implemented ${String(conn)} ${batchId}`);
}

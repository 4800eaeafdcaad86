import type { Requirement } from '@agent-factory/core';
import type { BatchStatus, BatchSubmission } from './batch.js';
import type { FactoryConnection } from './connection.js';

/** A checked requirement with its input id (line-derived when the input had none). */
export type BatchItemInput = Requirement & { id: string };

export interface SubmitProgress {
  enqueued: number;
}

// STUB: owned by the queue helper.
/**
 * Creates a batch and enqueues its requirements on the analyze queue with addBulk in chunks.
 * Identical requirements are enqueued once and answered for every id. Job ids are deterministic
 * from (batch, requirement). Items are streamed: 100,000 never sit in memory at once.
 */
export async function submitBatch(
  conn: FactoryConnection,
  items: AsyncIterable<BatchItemInput> | Iterable<BatchItemInput>,
  submission: BatchSubmission = {},
  onProgress?: (progress: SubmitProgress) => void,
): Promise<BatchStatus> {
  throw new Error(`not implemented ${String(conn)} ${String(items)} ${String(submission)} ${String(onProgress)}`);
}

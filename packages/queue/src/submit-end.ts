import type { BatchStatus } from './batch.js';
import { getBatch } from './batches.js';
import type { FactoryConnection } from './connection.js';
import { batchKeys, submittingKey, webhooksDueKey } from './keys.js';
import { sealBatchScript } from './scripts/seal-batch.js';
import { fenced, type SubmitLease } from './submit-lease.js';

/** Ends the submission with the lease it holds: the last finished item now finishes the batch. */
export async function sealSubmission(conn: FactoryConnection, lease: SubmitLease): Promise<void> {
  const { prefix, retentionSeconds } = conn.config;
  const keys = batchKeys(prefix, lease.batchId);
  await fenced(
    lease.batchId,
    sealBatchScript.run(conn.redis, [keys.batch, keys.results, keys.ids, keys.lease, submittingKey(prefix), keys.unjobbed, webhooksDueKey(prefix)], [retentionSeconds, new Date().toISOString(), lease.token, lease.batchId]),
  );
}

/** The batch's status after its submit ended; it cannot be gone while this producer held it. */
export async function statusAfterSubmit(conn: FactoryConnection, batchId: string): Promise<BatchStatus> {
  const status = await getBatch(conn, batchId);
  if (!status) throw new Error(`batch ${batchId} vanished while it was submitted`);
  return status;
}

/**
 * The factory's own Redis keys. Every key starts with the prefix, a hash tag like `{af}`, so a
 * batch, its items and the stage queues share one Redis Cluster slot and Lua can touch them all.
 * BullMQ's keys are `<prefix>:<stage>:…`; ours use names that are never a stage.
 */
export function batchKeys(prefix: string, batchId: string) {
  const base = `${prefix}:batch:${batchId}`;
  return {
    /** Hash: name, tenant, priority, createdAt, state, counters. */
    batch: base,
    /** List of `inputId\treqKey` in input order. */
    ids: `${base}:ids`,
    /** Hash reqKey → compact result of every finished item. */
    results: `${base}:results`,
    /** The enqueuing producer's lease: its token, with a short TTL it keeps renewing (see submit-lease.ts). */
    lease: `${base}:lease`,
    /** Held (a token, with a TTL) while a `retry` of the batch runs: one retry at a time. */
    retry: `${base}:retry`,
    /**
     * Hash: items whose stage jobs are still to be added (JSON, see requeue-unjobbed.ts), from their
     * write until their jobs are: a retry's reset items, and the chunks of a producer from before
     * chunk scripts added their own jobs (enqueue-chunk.ts). What a writer that died in between never enqueued.
     */
    unjobbed: `${base}:unjobbed`,
  };
}

/** The batch id in a batch hash's key (the webhook outbox holds keys). */
export function batchIdOfKey(prefix: string, key: string): string | undefined {
  const head = `${prefix}:batch:`;
  return key.startsWith(head) ? key.slice(head.length) : undefined;
}

/**
 * Sorted set: the batch hash keys of finished batches whose webhook is not yet handed to the webhook
 * queue. The script that finishes a batch adds it in the same step, so no finish is missed by a crash.
 */
export const webhooksDueKey = (prefix: string): string => `${prefix}:webhooks:due`;

/** Hash of one unfinished item: its requirement and the stage outputs so far (deleted when final). */
export function itemKey(prefix: string, batchId: string, reqKey: string): string {
  return `${prefix}:item:${batchId}:${reqKey}`;
}

/** Sorted set of batch ids by creation time (ms). */
export const batchIndexKey = (prefix: string): string => `${prefix}:batches`;

/**
 * Sorted set of the batches being enqueued, scored by when their lease runs out (ms, Redis time): where
 * workers look for producers that died (the lease key itself is the truth; this only finds candidates).
 */
export const submittingKey = (prefix: string): string => `${prefix}:submitting`;

/** Hash stage → the failed-set score (ms) up to which the failed-jobs sweep has looked (failed-sweep.ts). */
export const failedSweepKey = (prefix: string): string => `${prefix}:failed-sweep`;

/** Idempotency key → batch id. */
export const idempotencyKey = (prefix: string, key: string): string => `${prefix}:idem:${key}`;

/**
 * Hash `<batch id>\t<reqKey>\t<source>` → the billed drafts a cancel took from an item: the data of a
 * queued stage job it removed (source: the job's key), or a draft kept in the item's record or
 * answered by a Message Batch after the cancel (source: the draft's name). Drained onto the items'
 * cancelled results (cancelled-spend.ts), each draft counted once.
 */
export const cancelledDraftsKey = (prefix: string): string => `${prefix}:cancelled-drafts`;

/** A cancelled-drafts field (the cancel-items script makes its own the same way). */
export const takenDraftField = (batchId: string, reqKey: string, source: string): string => `${batchId}\t${reqKey}\t${source}`;

/** Pub/sub channel on which cancelBatch tells every worker to abort a batch's running jobs. */
export const cancelChannel = (prefix: string): string => `${prefix}:cancel`;

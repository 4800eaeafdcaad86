import type { SubmitVia } from './batch.js';
import type { FactoryConnection } from './connection.js';
import { batchKeys, submittingKey, webhooksDueKey } from './keys.js';
import { isRedisFullError } from './redis-memory.js';
import { requeueUnjobbed } from './requeue-unjobbed.js';
import { dropSubmittingScript } from './scripts/drop-submitting.js';
import { interruptBatchScript } from './scripts/interrupt-batch.js';

/** Why a submission ended before it was sealed (the batch hash's `interruptCause`). */
export type InterruptCause = 'lease' | 'signal' | 'error' | 'full';

/** Batches the sweep checks per round; the rest wait for the next. */
const SWEEP_LIMIT = 100;

/**
 * Marks the batch interrupted when it is still open and its producer's lease is gone (the producer
 * died or stalled past its lease), or when `token` is the caller's own lease (a producer stopping
 * itself), then settles it (below). True when this call interrupted it. Readers call it for any open
 * batch they read, so `status`, `--wait` and the event stream see a dead producer within one lease;
 * workers sweep for the batches nobody reads (submit-watch.ts).
 */
export async function interruptIfAbandoned(conn: FactoryConnection, batchId: string, token = '', cause: InterruptCause = 'lease'): Promise<boolean> {
  const { prefix, retentionSeconds } = conn.config;
  const keys = batchKeys(prefix, batchId);
  const reply = await interruptBatchScript.run(conn.redis, [keys.batch, keys.results, keys.ids, keys.lease, webhooksDueKey(prefix)], [token, retentionSeconds, new Date().toISOString(), cause]);
  if (reply !== 1) return false;
  // The script runs on a full Redis too (allow-oom); adding jobs does not: the batch then stays in the
  // submitting index, and a sweep adds them once there is room.
  await settleSubmission(conn, batchId).catch((error: unknown) => {
    if (!isRedisFullError(error)) throw error;
  });
  return true;
}

/**
 * After a submission ended without its seal: the jobs its producer wrote but never added are added
 * (so what was enqueued runs to the end), and only then the batch leaves the submitting index, so a
 * sweep finishes the work should this process die halfway.
 */
async function settleSubmission(conn: FactoryConnection, batchId: string): Promise<void> {
  const { prefix } = conn.config;
  await requeueUnjobbed(conn, batchId);
  await dropSubmittingScript.run(conn.redis, [batchKeys(prefix, batchId).batch, submittingKey(prefix)], [batchId]);
}

/** Checks the batches whose lease deadline (Redis time) has passed; returns the ones it interrupted. */
export async function sweepAbandonedSubmits(conn: FactoryConnection): Promise<string[]> {
  const { prefix } = conn.config;
  const [seconds, micros] = await conn.redis.time();
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const due = await conn.redis.zrangebyscore(submittingKey(prefix), '-inf', now, 'LIMIT', 0, SWEEP_LIMIT);
  const interrupted: string[] = [];
  for (const batchId of due) {
    if (await interruptIfAbandoned(conn, batchId)) interrupted.push(batchId);
    // Not open any more, yet still listed: the one that ended it died before settling it (or it is gone).
    else if ((await conn.redis.hexists(batchKeys(prefix, batchId).batch, 'open')) === 0) await settleSubmission(conn, batchId);
  }
  return interrupted;
}

const count = (n: number): string => n.toLocaleString('en-US');

const CAUSES: Record<InterruptCause, string> = {
  lease: 'its producer stopped renewing its lease (killed, or its machine went away)',
  signal: 'its producer was stopped (Ctrl-C or a termination signal)',
  error: 'its producer stopped on an error',
  full: 'Redis was full (at its maxmemory) and refused its writes; make room before you go on',
};

/** How far the submit got, in the words of where it came from. */
const WHAT: Record<SubmitVia, { whole: string; again: (batchId: string) => string; cancel: (batchId: string) => string }> = {
  cli: {
    whole: "the file's",
    again: (id) => `submit the same file again with --resume ${id} (agent-factory submit FILE --resume ${id})`,
    cancel: (id) => `agent-factory cancel ${id}`,
  },
  api: {
    whole: "the request's",
    again: (id) => `POST the same body to /api/batches/${id}/resume (or repeat the POST with its Idempotency-Key)`,
    cancel: (id) => `DELETE /api/batches/${id}`,
  },
  sdk: {
    whole: 'the given',
    again: (id) => `call resumeBatch('${id}', …) with the same requirements (or submitBatch again with its idempotencyKey)`,
    cancel: (id) => `agent-factory cancel ${id}`,
  },
};

/** What `status` says about an interrupted batch: how far the submit got, and the two ways on. */
export function interruptionReason(batchId: string, hash: Record<string, string>): string {
  const via = WHAT[(hash['via'] ?? 'cli') as SubmitVia] ?? WHAT.cli;
  const enqueued = Number(hash['inputs'] ?? 0);
  const expected = hash['expected'] === undefined ? undefined : Number(hash['expected']);
  const of = expected === undefined ? '' : ` of ${via.whole} ${count(expected)}`;
  const cause = CAUSES[(hash['interruptCause'] ?? 'lease') as InterruptCause] ?? CAUSES.lease;
  const at = hash['interruptedAt'] ? ` (noticed ${hash['interruptedAt']})` : '';
  return (
    `submit stopped after enqueuing ${count(enqueued)}${of} requirement(s): ${cause}${at}. ` +
    `The enqueued ones still run and their results stay collectable. To finish the batch, ${via.again(batchId)}; or cancel it (${via.cancel(batchId)}).`
  );
}

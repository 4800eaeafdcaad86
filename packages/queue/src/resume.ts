import type { BatchStatus } from './batch.js';
import { checkBatchRoom, countDistinct } from './batch-room.js';
import type { FactoryConnection } from './connection.js';
import { batchInput, enqueueInputs, type BatchItemInput, type SubmitProgress } from './enqueue.js';
import { idsEntry } from './ids-entry.js';
import { interruptIfAbandoned } from './interruption.js';
import { batchKeys, submittingKey } from './keys.js';
import type { SubmitRunOptions } from './producer.js';
import { isRedisFullError } from './redis-memory.js';
import { batchPlace } from './rank-offset.js';
import { requeueUnjobbed } from './requeue-unjobbed.js';
import { requirementKey } from './requirement-key.js';
import { isRedisUnavailable } from './redis-client.js';
import { SubmitCutOffError } from './submit-cut-off.js';
import { resumeBatchScript } from './scripts/resume-batch.js';
import { sealSubmission, statusAfterSubmit } from './submit-end.js';
import { stoppedByFullRedis } from './submit-full.js';
import { SubmitLease, SubmitLeaseLostError } from './submit-lease.js';

/** Ids-list entries compared per round trip. */
const PAGE = 1000;

/** A resume that cannot go ahead, with why in words a user can act on; the batch is left as it was. */
export class ResumeRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResumeRefusedError';
  }
}

export interface ResumeOptions extends SubmitRunOptions {
  onProgress?: (progress: SubmitProgress) => void;
  /** The file's input count, quoted should this resume be interrupted too. */
  expectedInputs?: number;
}

export interface ResumeOutcome {
  status: BatchStatus;
  /** False when there was nothing to resume: every input was enqueued already (the batch is running or completed). */
  resumed: boolean;
  /** Inputs the batch held already (the file's first ones, checked to be the same). */
  skipped: number;
  /** Inputs this resume enqueued. */
  added: number;
  /** Items enqueued before whose analyze job was lost with the producer, enqueued again. */
  requeued: number;
}

type Standing = 'gone' | 'cancelled' | 'completed' | 'sealed' | 'leased' | 'interrupted';

/**
 * Where the batch's submission stands: an open batch whose lease is gone is interrupted, noticed or
 * not. A first look only: the takeover script decides again, atomically.
 */
async function standing(conn: FactoryConnection, batchId: string): Promise<Standing> {
  const keys = batchKeys(conn.config.prefix, batchId);
  const [[state, open], leased] = await Promise.all([conn.redis.hmget(keys.batch, 'state', 'open'), conn.redis.exists(keys.lease)]);
  if (state === null || state === undefined) return 'gone';
  if (state === 'cancelled' || state === 'completed') return state;
  if (leased === 1) return 'leased';
  return state === 'running' && open === null ? 'sealed' : 'interrupted';
}

/** Why a batch cannot be resumed (`why` is a Standing or the takeover script's reply). */
function refusal(batchId: string, why: string): ResumeRefusedError {
  const words: Record<string, string> = {
    gone: `no batch ${batchId} (unknown, or its retention ended)`,
    cancelled: `batch ${batchId} was cancelled; submit the file again as a new batch`,
    leased: `batch ${batchId} is still being enqueued by a live submit (its lease is renewed); wait for it, or if that process is gone, try again when its lease has run out (AF_SUBMIT_LEASE_MS)`,
  };
  return new ResumeRefusedError(words[why] ?? `batch ${batchId} cannot be resumed (${why})`);
}

/** Says how the file's n-th input differs from the batch's n-th. */
function mismatch(batchId: string, n: number, got: string, want: string | undefined): ResumeRefusedError {
  const [gotId] = got.split('\t');
  const wantId = want?.slice(0, want.lastIndexOf('\t'));
  const what =
    want === undefined
      ? `requirement ${n} of the input (id "${gotId}") is beyond what batch ${batchId} holds`
      : gotId === wantId
        ? `requirement ${n} of the input (id "${gotId}") is not the one batch ${batchId} enqueued under that id`
        : `requirement ${n} of the input has id "${gotId}" where batch ${batchId} has "${wantId}"`;
  return new ResumeRefusedError(`${what}; resume with the very requirements the batch was submitted with, in their order (a file: the same one, with the same --format and --skip-invalid)`);
}

/**
 * Reads the file's first `held` inputs and checks them against the batch's ids list (id and
 * requirement, in order), so a resume continues the very file it was given; collects their distinct
 * requirement keys, so a later repeat is neither stored nor counted again.
 */
async function skipEnqueued(conn: FactoryConnection, batchId: string, inputs: AsyncIterator<BatchItemInput>, held: number, seen: Set<string>): Promise<void> {
  const idsKey = batchKeys(conn.config.prefix, batchId).ids;
  for (let start = 0; start < held; start += PAGE) {
    const page = await conn.redis.lrange(idsKey, start, Math.min(held, start + PAGE) - 1);
    for (let i = 0; i < Math.min(PAGE, held - start); i++) {
      const next = await inputs.next();
      if (next.done) throw new ResumeRefusedError(`the input has ${start + i} requirement(s) but batch ${batchId} already holds ${held}; resume with the very requirements the batch was submitted with`);
      const item = batchInput(next.value);
      const key = requirementKey(item);
      const entry = idsEntry(item.id, key);
      if (entry !== page[i]) throw mismatch(batchId, start + i + 1, entry, page[i]);
      seen.add(key);
    }
  }
}

/**
 * A batch whose whole input is enqueued already (a resume run again, or one that never needed it):
 * nothing changes, but the file must still be the batch's own, all of it, or the user is told so
 * rather than that all is well.
 */
async function nothingToResume(conn: FactoryConnection, batchId: string, inputs: AsyncGenerator<BatchItemInput>): Promise<ResumeOutcome> {
  const held = await conn.redis.llen(batchKeys(conn.config.prefix, batchId).ids);
  await skipEnqueued(conn, batchId, inputs, held, new Set());
  if (!(await inputs.next()).done) throw new ResumeRefusedError(`the input has more requirements than the ${held} batch ${batchId} holds, and the batch is not interrupted: there is nothing to resume; submit the rest as a batch of its own`);
  return { status: await statusAfterSubmit(conn, batchId), resumed: false, skipped: 0, added: 0, requeued: 0 };
}

/**
 * Refuses, before the takeover, a rest of the input that clearly will not fit Redis (batch-room.ts),
 * rather than have Redis stop the resume part way again. The rest's distinct requirements are the
 * input's, counted (another pass over a file) only when its input count does not fit, less those the
 * batch holds.
 */
async function checkRestRoom(conn: FactoryConnection, batchId: string, items: AsyncIterable<BatchItemInput> | Iterable<BatchItemInput>, held: number, heldDistinct: number, options: ResumeOptions): Promise<void> {
  const inputs = Array.isArray(items) ? items.length : options.expectedInputs;
  if (inputs === undefined) return;
  const rest = inputs - held;
  const distinct = Array.isArray(items) ? () => countDistinct(items) : options.countDistinct;
  await checkBatchRoom(conn, rest, async () => (distinct ? (await distinct()) - heldDistinct : rest), {
    what: `the rest of batch ${batchId} (${rest.toLocaleString('en-US')} more requirement(s))`,
    outcome: 'nothing more was enqueued and the batch stays interrupted',
  });
}

async function* asAsync<T>(items: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/**
 * Finishes an interrupted batch from the same file: checks that the file starts with what the batch
 * holds (nothing is changed when it does not), takes the batch over with a lease of its own, enqueues
 * the jobs the dead producer wrote but never added (if nobody did yet), enqueues the rest of the file
 * and seals the batch, which then completes like any other. Nothing is enqueued twice: the batch's
 * inputs are skipped, and its requirements are not stored or counted again when the rest repeats them.
 */
export async function resumeBatch(conn: FactoryConnection, batchId: string, items: AsyncIterable<BatchItemInput> | Iterable<BatchItemInput>, options: ResumeOptions = {}): Promise<ResumeOutcome> {
  const { prefix } = conn.config;
  const keys = batchKeys(prefix, batchId);
  const inputs = asAsync(items);
  try {
    const before = await standing(conn, batchId);
    if (before === 'completed' || before === 'sealed') return await nothingToResume(conn, batchId, inputs);
    if (before !== 'interrupted') throw refusal(batchId, before);
    // Stable while the batch is interrupted: every write into it needs the lease.
    const held = await conn.redis.llen(keys.ids);
    const seen = new Set<string>();
    await skipEnqueued(conn, batchId, inputs, held, seen);
    await checkRestRoom(conn, batchId, items, held, seen.size, options);

    const lease = new SubmitLease(conn, batchId);
    const taken = String(await resumeBatchScript.run(conn.redis, [keys.batch, keys.results, keys.ids, keys.lease, submittingKey(prefix)], [batchId, lease.token, lease.ttlMs]));
    if (taken === 'completed' || taken === 'sealed') return { status: await statusAfterSubmit(conn, batchId), resumed: false, skipped: 0, added: 0, requeued: 0 };
    if (taken !== 'resumed') throw refusal(batchId, taken);
    lease.start();
    try {
      // Another resume got in between the check and the takeover, and was interrupted in turn.
      if ((await conn.redis.llen(keys.ids)) !== held) throw new ResumeRefusedError(`batch ${batchId} was resumed by another submit meanwhile; try again`);
      if (options.expectedInputs !== undefined) await conn.redis.hset(keys.batch, 'expected', options.expectedInputs);
      const place = await batchPlace(conn, batchId);
      // Normally done when the batch was interrupted; this covers one that was never noticed.
      const requeued = await requeueUnjobbed(conn, batchId);
      const rest: AsyncIterable<BatchItemInput> = { [Symbol.asyncIterator]: () => inputs };
      const { enqueued, aborted } = await enqueueInputs(conn, { batchId, place, lease, seen, enqueued: held }, rest, {
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (aborted) await interruptIfAbandoned(conn, batchId, lease.token, 'signal');
      else await sealSubmission(conn, lease);
      return { status: await statusAfterSubmit(conn, batchId), resumed: true, skipped: held, added: enqueued - held, requeued };
    } catch (error) {
      // Back to interrupted at once (what this resume enqueued stays); a lost lease is someone else's now.
      if (isRedisFullError(error)) throw await stoppedByFullRedis(conn, batchId, lease.token);
      if (isRedisUnavailable(error)) throw new SubmitCutOffError(batchId, lease.ttlMs, error);
      if (!(error instanceof SubmitLeaseLostError)) await interruptIfAbandoned(conn, batchId, lease.token, 'error').catch(() => undefined);
      throw error;
    } finally {
      await lease.stop();
    }
  } catch (error) {
    // Refused before the takeover wrote anything: the batch stays as it was.
    if (isRedisFullError(error)) throw await stoppedByFullRedis(conn, batchId);
    throw error;
  } finally {
    // Closes the file when the resume stopped before its end.
    await inputs.return(undefined);
  }
}

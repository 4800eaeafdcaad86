import { Cluster } from 'ioredis';
import type { FactoryConnection } from './connection.js';
import type { BatchItemInput } from './enqueue.js';
import { formatBytes } from './format-bytes.js';
import { freeBytes, REDIS_MEMORY_FIX, tightestMaster } from './redis-memory.js';
import { requirementKey } from './requirement-key.js';
import { RedisFullError } from './submit-full.js';

/**
 * Redis memory one distinct requirement takes at its batch's peak. Measured (INFO used_memory) on a
 * private Redis 7.0 with offline workers, ~110-character requirements: a batch of 20,000 took 1.35 KB
 * each while queued (item record, analyze job, ids entry) and 5.0 KB at the peak while it ran and
 * once finished (its result, about 2.4 KB, and its agent in the shared cache, about 2.4 KB), on a
 * Redis whose queues already kept their bounded history of completed jobs (AF_KEEP_COMPLETED; the
 * first batches of an empty Redis add up to ~20 MB of it). A requirement whose agent is cached
 * already takes about half; longer requirements and real agents take more.
 */
export const REDIS_BYTES_PER_REQUIREMENT = 5 * 1024;

/**
 * What a repeated input adds: its entry on the batch's ids list (`inputId\treqKey`), 29 bytes each by
 * MEMORY USAGE on a list of 100,000 (ids like `line-6`). A file of a million lines of a few
 * requirements needs some 30 MB for them alone.
 */
export const REDIS_BYTES_PER_REPEAT = 32;

const count = (n: number): string => n.toLocaleString('en-US');

/** How many distinct requirements (what the batch stores and runs once) the inputs hold. */
export async function countDistinct(items: AsyncIterable<BatchItemInput> | Iterable<BatchItemInput>): Promise<number> {
  const keys = new Set<string>();
  for await (const item of items) keys.add(requirementKey(item));
  return keys.size;
}

/** What a refusal speaks of: a new batch, or the rest of an interrupted one (a resume). */
export interface RoomSubject {
  what: string;
  outcome: string;
}

const NEW_BATCH: RoomSubject = { what: 'this batch', outcome: 'nothing was enqueued' };

/**
 * Refuses a batch that clearly will not fit under the Redis's maxmemory, before anything of it is
 * written: with noeviction a full Redis refuses every write, and the batch (and every other) would
 * stop part way. `inputs` bounds the distinct requirements; `distinct` counts them (another pass
 * over a file) only when even that bound does not fit. No check without a maxmemory, or when INFO is
 * not allowed.
 */
export async function checkBatchRoom(conn: FactoryConnection, inputs: number, distinct: () => Promise<number>, subject: RoomSubject = NEW_BATCH): Promise<void> {
  const node = await tightestMaster(conn.redis);
  if (!node) return;
  const free = freeBytes(node);
  if (inputs * REDIS_BYTES_PER_REQUIREMENT <= free) return;
  const n = await distinct();
  const repeats = Math.max(0, inputs - n);
  const needed = n * REDIS_BYTES_PER_REQUIREMENT + repeats * REDIS_BYTES_PER_REPEAT;
  if (needed <= free) return;
  const redis = conn.redis instanceof Cluster ? `Redis node ${node.node}` : 'Redis';
  const parts = `${count(n)} distinct requirement(s) at about ${REDIS_BYTES_PER_REQUIREMENT / 1024} KB each${repeats > 0 ? `, ${count(repeats)} repeat(s) at about ${REDIS_BYTES_PER_REPEAT} bytes each` : ''}`;
  throw new RedisFullError(
    `${subject.what} needs about ${formatBytes(needed)} in Redis while it is queued and once it is finished ` +
      `(${parts}) but ${redis} has ${formatBytes(free)} free under maxmemory ${formatBytes(node.max)}, ` +
      `so ${subject.outcome}. To make room: ${REDIS_MEMORY_FIX}`,
  );
}

import { z } from 'zod';
import type { FactoryConnection } from './connection.js';
import { batchKeys } from './keys.js';
import { jobPriority, type BatchPlace } from './priority.js';
import { batchPlace } from './rank-offset.js';
import { stageJobId, type StageJobData } from './queues.js';

/** A chunk's entry on its batch's unjobbed hash: the rank of its first new item in the batch (before the batch's rank offset), and the new items' keys in order. */
export const UnjobbedSchema = z.object({ b: z.number().int().nonnegative(), k: z.array(z.string().regex(/^[0-9a-f]{16}$/)) });
export type Unjobbed = z.infer<typeof UnjobbedSchema>;

/**
 * Adds the analyze jobs of a chunk's new items: deterministic ids, ranked in input order from the
 * batch's rank offset within its priority. When traced, each job starts a trace of its own (one per requirement) instead of
 * joining the chunk's addBulk span, which would put a chunk's requirements in one trace.
 */
export async function addChunkJobs(conn: FactoryConnection, batchId: string, place: BatchPlace, chunk: Unjobbed): Promise<void> {
  const traced = conn.telemetry !== undefined;
  await conn.queues.analyze.addBulk(
    chunk.k.map((k, i) => {
      const data: StageJobData = { b: batchId, k };
      const opts = { jobId: stageJobId('analyze', data), priority: jobPriority(place.priority, place.rankOffset + chunk.b + i) };
      return { name: 'analyze', data, opts: traced ? { ...opts, telemetry: { omitContext: true } } : opts };
    }),
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Adds the jobs of the unjobbed entries whose writer never saw them enqueued (a retry that died between
 * resetting its items and adding their jobs; a producer from before chunk scripts added their own
 * jobs that died between a chunk's records and its addBulk); returns how many jobs it added. Without
 * them those items would stay pending with nothing to run them, and the batch would never finish.
 * Only for a batch no live producer is writing (interrupted, or held by the caller's own lease):
 * deterministic job ids make adding a job that exists a no-op, so running it twice is harmless.
 */
export async function requeueUnjobbed(conn: FactoryConnection, batchId: string): Promise<number> {
  const keys = batchKeys(conn.config.prefix, batchId);
  const chunks = await conn.redis.hgetall(keys.unjobbed);
  if (Object.keys(chunks).length === 0) return 0;
  const place = await batchPlace(conn, batchId);
  let added = 0;
  for (const [field, text] of Object.entries(chunks)) {
    const chunk = UnjobbedSchema.safeParse(parseJson(text));
    // A malformed entry names no job: dropping it is all that can be done.
    if (chunk.success && chunk.data.k.length > 0) {
      await addChunkJobs(conn, batchId, place, chunk.data);
      added += chunk.data.k.length;
    }
    await conn.redis.hdel(keys.unjobbed, field);
  }
  return added;
}

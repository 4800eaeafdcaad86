import { batchIndexKey, batchKeys, connect, createLogger, KEEP_COMPLETED, queueConfigFromEnv, STAGES, startWorkers, submitBatch } from '@agent-factory/queue';
import { describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { waitForBatch } from './helpers/queue-workers.js';
import { startRedis, testPrefix } from './helpers/redis.js';

const quiet = createLogger({}, { level: 'error' });

/** Runs `n` requirements through workers configured with `keepCompleted` (or the default); the completed jobs left per stage. */
async function completedLeft(n: number, keepCompleted?: number): Promise<Record<string, number>> {
  const redis = await startRedis({ appendonly: false });
  const prefix = testPrefix();
  const settings = { redisUrl: redis.url, prefix, ...(keepCompleted !== undefined ? { keepCompleted } : {}) };
  const conn = await connect(settings, { logger: quiet });
  const workerConn = await connect(settings, { role: 'worker', logger: quiet });
  const pool = await startWorkers(workerConn, { stages: STAGES, concurrency: {}, deps: {}, logger: quiet });
  try {
    const batch = await submitBatch(conn, syntheticRequirements(n, 21).map((requirement, i) => ({ id: `r${i}`, requirement })), { name: 'retention' });
    const done = await waitForBatch(conn, batch.id, 90_000);
    expect(done.counts.completed).toBe(n);
    const left: Record<string, number> = {};
    for (const stage of STAGES) left[stage] = (await conn.queues[stage].getJobCounts('completed')).completed ?? 0;
    return left;
  } finally {
    await pool.close();
    await workerConn.close();
    await conn.close();
    await redis.stop();
  }
}

const each = (n: number): Record<string, number> => Object.fromEntries(STAGES.map((s) => [s, n]));

describe('completed stage jobs', () => {
  it('stay for Bull Board up to their bound, trimmed by the workers', async () => {
    expect(await completedLeft(KEEP_COMPLETED.count + 150)).toEqual(each(KEEP_COMPLETED.count));
  }, 120_000);

  it('stay up to the configured bound (AF_KEEP_COMPLETED)', async () => {
    expect(() => queueConfigFromEnv({ AF_KEEP_COMPLETED: '-1' })).toThrow(/AF_KEEP_COMPLETED/);
    expect(await completedLeft(150, queueConfigFromEnv({ AF_KEEP_COMPLETED: '100' }).keepCompleted)).toEqual(each(100));
  }, 60_000);
});

describe('the batch index', () => {
  it('sheds batches whose retention ended at the next submit, with nobody listing them', async () => {
    const redis = await startRedis({ appendonly: false });
    const conn = await connect({ redisUrl: redis.url, prefix: testPrefix() }, { logger: quiet });
    try {
      const index = batchIndexKey(conn.config.prefix);
      const old = await submitBatch(conn, [{ id: 'a', requirement: 'a reviewer for SQL migrations' }], { name: 'old' });
      const kept = await submitBatch(conn, [{ id: 'b', requirement: 'a writer for API changelogs' }], { name: 'kept' });
      // Its retention ended: its keys are gone, its index entry is not (yet).
      await conn.redis.del(batchKeys(conn.config.prefix, old.id).batch);
      expect(await conn.redis.zcard(index)).toBe(2);
      const next = await submitBatch(conn, [{ id: 'c', requirement: 'an auditor for Dockerfiles' }], { name: 'next' });
      expect((await conn.redis.zrange(index, 0, -1)).sort()).toEqual([kept.id, next.id].sort());
    } finally {
      await conn.close();
      await redis.stop();
    }
  });
});

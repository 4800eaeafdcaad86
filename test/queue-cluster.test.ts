import { validateAgent } from '@agent-factory/core';
import { batchResults, cancelBatch, connect, createLogger, STAGES, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { spawnWorker, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { startRedisCluster, type TestRedisCluster } from './helpers/redis-cluster.js';

describe('Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let conn: FactoryConnection;
  let worker: WorkerProcess;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    // The default prefix {af}: a hash tag, so every key of the factory lands in one slot.
    worker = await spawnWorker({ REDIS_URL: cluster.url, AF_PREFIX: '{af}' });
    conn = await connect({ redisUrl: cluster.url }, { logger: createLogger({}, { level: 'error' }) });
  }, 30_000);
  afterAll(async () => {
    await worker?.stop();
    await conn?.close();
    await cluster?.stop();
  });

  it('submits and completes a batch on three cluster nodes', async () => {
    expect(conn.redis.isCluster).toBe(true);
    const batch = await submitBatch(conn, syntheticRequirements(60, 21).map((requirement, i) => ({ id: `c${i}`, requirement })));
    const done = await waitForBatch(conn, batch.id, 30_000);
    expect(done).toMatchObject({ state: 'completed', counts: { completed: 60, failed: 0, pending: 0 } });
    let valid = 0;
    for await (const r of batchResults(conn, batch.id)) if ((await validateAgent(r.content ?? '')).passed) valid++;
    expect(valid).toBe(60);
  }, 40_000);

  it('cancels a batch nobody runs: every item ended, no stage job left', async () => {
    // A prefix no worker serves, so every item is still queued when the cancel comes.
    const idle = await connect({ redisUrl: cluster.url, prefix: '{afc}' }, { logger: createLogger({}, { level: 'error' }) });
    try {
      const batch = await submitBatch(idle, syntheticRequirements(1200, 5).map((requirement, i) => ({ id: `x${i}`, requirement })));
      const status = await cancelBatch(idle, batch.id);
      expect(status).toMatchObject({ state: 'cancelled', counts: { pending: 0, completed: 0, cancelled: batch.total } });
      expect(status?.finishedAt).toBeDefined();
      for (const stage of STAGES) expect(Object.values(await idle.queues[stage].getJobCounts()).reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      await idle.close();
    }
  }, 40_000);
});

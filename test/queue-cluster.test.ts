import { validateAgent } from '@agent-factory/core';
import { batchKeys, batchResults, cancelBatch, connect, createLogger, itemKey, STAGES, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { ITEM_FIELDS } from '../packages/queue/src/item-fields.js';
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

  it('an identical requirement parked on the agent of a batch then cancelled: the cancel wakes it, and it generates the agent', async () => {
    // A worker of its own whose generations take 4 s, so the claimer is still generating when the waiter looks.
    const prefix = '{afw}';
    const slow = await spawnWorker({ REDIS_URL: cluster.url, AF_PREFIX: prefix, AF_GENERATE_DELAY_MS: '4000' });
    const own = await connect({ redisUrl: cluster.url, prefix }, { logger: createLogger({}, { level: 'error' }) });
    const requirement = 'Review Terraform plans for public S3 buckets and report each one with its fix.';
    try {
      const claimer = await submitBatch(own, [{ id: 'a', requirement }], { name: 'claimer' });
      await expect.poll(() => own.queues.generate.getActiveCount(), { timeout: 10_000 }).toBe(1);
      const waiter = await submitBatch(own, [{ id: 'b', requirement }], { name: 'waiter' });
      // The waiter's look (claim-holder-alive) notes its job, and the set's key on the claimer's record.
      const [entry] = await own.redis.lrange(batchKeys(prefix, claimer.id).ids, 0, 0);
      const record = itemKey(prefix, claimer.id, entry!.split('\t')[1]!);
      await expect.poll(() => own.redis.hget(record, ITEM_FIELDS.claimWaiters), { timeout: 5000 }).toMatch(/:cachewait:agents:/);
      const waiters = (await own.redis.hget(record, ITEM_FIELDS.claimWaiters))!;
      expect(await own.redis.scard(waiters)).toBe(1);
      // The cancel takes the set (cancel-items) and wakes the job in it.
      await cancelBatch(own, claimer.id);
      expect(await own.redis.exists(waiters, record)).toBe(0);
      expect((await waitForBatch(own, waiter.id, 15_000)).counts).toEqual({ pending: 0, completed: 1, failed: 0, cancelled: 0 });
    } finally {
      await slow.stop();
      await own.close();
    }
  }, 40_000);
});

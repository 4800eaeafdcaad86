import { batchKeys, cancelBatch, connect, createLogger, getBatch, jobPriority, retryBatch, startWorkers, submitBatch, type FactoryConnection, type WorkerPool } from '@agent-factory/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { sleep, spawnWorker, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

const quiet = createLogger({}, { level: 'error' });

describe('fair scheduling', () => {
  let redis: TestRedis;
  let conn: FactoryConnection;
  let workerConn: FactoryConnection;
  let pool: WorkerPool;

  beforeAll(async () => {
    redis = await startRedis({ appendonly: false });
    const prefix = testPrefix();
    conn = await connect({ redisUrl: redis.url, prefix }, { logger: quiet });
    workerConn = await connect({ redisUrl: redis.url, prefix }, { role: 'worker', logger: quiet });
    pool = await startWorkers(workerConn, { stages: ['analyze', 'research', 'generate', 'validate'], concurrency: {}, deps: {}, logger: quiet });
  });
  afterAll(async () => {
    await pool?.close();
    await workerConn?.close();
    await conn?.close();
    await redis?.stop();
  });

  it('a 10-requirement batch submitted after a 2,000-requirement batch does not wait behind it', async () => {
    const big = await submitBatch(
      conn,
      syntheticRequirements(2000, 11).map((requirement, i) => ({ id: `big-${i}`, requirement })),
      { name: 'big' },
    );
    const small = await submitBatch(
      conn,
      syntheticRequirements(10, 12).map((requirement, i) => ({ id: `small-${i}`, requirement })),
      { name: 'small' },
    );
    const smallDone = await waitForBatch(conn, small.id, 30_000);
    const bigAtThatTime = (await getBatch(conn, big.id))!;
    console.log(`small batch finished when the big one had ${bigAtThatTime.counts.completed} of 2000 done`);
    expect(smallDone.counts.completed).toBe(10);
    expect(bigAtThatTime.counts.completed).toBeLessThan(500);

    // The big batch keeps going afterwards; cancelling it stops 2,000 items cleanly.
    await sleep(100);
    const cancelled = await cancelBatch(conn, big.id);
    expect(cancelled?.state).toBe('cancelled');
    const end = await waitForBatch(conn, big.id, 10_000);
    expect(end.counts.pending).toBe(0);
    expect(end.counts.completed + end.counts.cancelled + end.counts.failed).toBe(2000);
    expect(end.counts.cancelled).toBeGreaterThan(0);
  }, 60_000);

  it('a large batch submitted while another is running shares the workers with it instead of freezing it', async () => {
    // Its own prefix and a worker process with a paced generate stage (the bottleneck, as a model
    // would be), so the first batch is mid-way when the second arrives.
    const prefix = testPrefix();
    const own = await connect({ redisUrl: redis.url, prefix }, { logger: quiet });
    let worker: WorkerProcess | undefined;
    try {
      worker = await spawnWorker({ REDIS_URL: redis.url, AF_PREFIX: prefix, AF_GENERATE_DELAY_MS: '20', AF_CONCURRENCY: 'generate=2', AF_RESEARCH: 'none' });
      const batch = (name: string, seed: number) => syntheticRequirements(600, seed).map((requirement, i) => ({ id: `${name}-${i}`, requirement }));
      const first = await submitBatch(own, batch('first', 21), { name: 'first' });
      await waitForBatch(own, first.id, 60_000, (s) => s.counts.completed >= 200);
      const second = await submitBatch(own, batch('second', 22), { name: 'second' });

      // Two samples while the second batch runs: the first batch's progress between them.
      const before = await waitForBatch(own, second.id, 60_000, (s) => s.counts.completed >= 10);
      const firstBefore = (await getBatch(own, first.id))!.counts.completed;
      const after = await waitForBatch(own, second.id, 60_000, (s) => s.counts.completed >= 110);
      const firstAfter = (await getBatch(own, first.id))!.counts.completed;
      const secondGain = after.counts.completed - before.counts.completed;
      const firstGain = firstAfter - firstBefore;
      console.log(`while the second batch completed ${secondGain}, the first completed ${firstGain} (${firstBefore} → ${firstAfter} of 600)`);
      // Round-robin gives each about half; a frozen first batch gains only the few items already in flight.
      expect(firstGain).toBeGreaterThanOrEqual(secondGain * 0.4);
      expect(firstAfter).toBeLessThan(600);

      // A small batch submitted now still finishes long before either big one.
      const small = await submitBatch(own, syntheticRequirements(10, 23).map((requirement, i) => ({ id: `small-${i}`, requirement })), { name: 'small' });
      expect((await waitForBatch(own, small.id, 30_000)).counts.completed).toBe(10);
      const [firstAtThatTime, secondAtThatTime] = [(await getBatch(own, first.id))!, (await getBatch(own, second.id))!];
      expect(firstAtThatTime.counts.completed).toBeLessThan(600);
      expect(secondAtThatTime.counts.completed).toBeLessThan(600);
    } finally {
      await worker?.stop();
      await own.close();
    }
  }, 120_000);

  it("a batch joins at its level's queue head, and its jobs added again later keep that place", async () => {
    // No workers on this prefix: a job another batch has waiting at generate marks the level's head.
    const own = await connect({ redisUrl: redis.url, prefix: testPrefix() }, { logger: quiet });
    try {
      await own.queues.generate.add('generate', { b: 'b_elsewhere', k: '0123456789abcdef' }, { priority: jobPriority(5, 1234) });
      await own.queues.generate.add('generate', { b: 'b_urgent', k: '0123456789abcdef' }, { priority: jobPriority(1, 7) });
      const joined = await submitBatch(own, syntheticRequirements(20, 31).map((requirement, i) => ({ id: `j-${i}`, requirement })), { name: 'joined' });
      const keys = batchKeys(own.config.prefix, joined.id);
      expect(await own.redis.hget(keys.batch, 'rankOffset')).toBe('1234');
      const priorities = async (): Promise<Map<string, number>> => new Map((await own.queues.analyze.getJobs(['prioritized'])).map((j) => [j.data.k as string, j.opts.priority ?? 0]));
      const first = [...(await priorities()).values()].sort((a, b) => a - b);
      expect(first[0]).toBe(jobPriority(5, 1234));
      expect(first.at(-1)).toBe(jobPriority(5, 1234 + 19));

      // A job a dead producer never added (left on the unjobbed hash) is added at the batch's place.
      const [gone] = (await own.queues.analyze.getJobs(['prioritized'])).filter((j) => j.opts.priority === jobPriority(5, 1234 + 5));
      await gone!.remove();
      await own.redis.hset(keys.unjobbed, '1', JSON.stringify({ b: 5, k: [gone!.data.k] }));
      expect(await retryBatch(own, joined.id)).toEqual({ outcome: 'running' });
      expect((await priorities()).get(gone!.data.k as string)).toBe(jobPriority(5, 1234 + 5));
      // A level with nothing waiting starts at 0.
      const urgent = await submitBatch(own, [{ id: 'u', requirement: syntheticRequirements(1, 32)[0]! }], { name: 'urgent', priority: 2 });
      expect(await own.redis.hget(batchKeys(own.config.prefix, urgent.id).batch, 'rankOffset')).toBe('0');
    } finally {
      await own.close();
    }
  });
});

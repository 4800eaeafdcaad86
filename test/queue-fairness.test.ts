import { cancelBatch, connect, createLogger, getBatch, startWorkers, submitBatch, type FactoryConnection, type WorkerPool } from '@agent-factory/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { sleep, waitForBatch } from './helpers/queue-workers.js';
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
});
